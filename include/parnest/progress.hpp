#pragma once
/// @file progress.hpp
/// A snapshot of a run in progress, for the status line and for RunOptions::on_progress.

#include <cstddef>
#include <string>

namespace parnest {

struct Progress {
  std::string sampler;        ///< the backend, such as "sequential"
  std::size_t iteration = 0;  ///< iterations (batches) done
  std::size_t n_like = 0;     ///< likelihood evaluations so far
  double log_z = 0.0;         ///< the evidence accumulated so far
  /// How far the stopping rule still is, in its own units: for nested sampling the log Z the
  /// live points could still add (the run stops when it falls below `target`).
  double remaining = 0.0;
  double target = 0.0;         ///< the value of `remaining` at which the run stops
  std::string remaining_name;  ///< what `remaining` measures, such as "dlogz"
  double efficiency = 0.0;     ///< new samples per likelihood call so far
  double calls_per_second = 0.0;
  double elapsed_seconds = 0.0;  ///< wall time of this run() (since the resume, if resumed)
  bool finished = false;         ///< the last snapshot of a run
};

}  // namespace parnest
