#pragma once
/// @file options.hpp
/// Options of Sampler::run that do not depend on the algorithm: parallelism, seed, budget,
/// checkpoints, messages and interruption.
/// Algorithm options live with each backend (for example parnest::Sequential::Options).

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "parnest/log.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"

namespace parnest {

/// The `pool` run option: nothing (parnest chooses), a number of workers (like `ncores`), or
/// a pool object of the user's.
class PoolChoice {
 public:
  PoolChoice() = default;
  /// A pool size: the same as setting RunOptions::ncores.
  PoolChoice(int size) : size_(size) {}
  /// A pool the caller owns and keeps alive during the run.
  PoolChoice(Pool& pool) : pool_(&pool, [](Pool*) {}) {}
  /// A shared pool (of any type derived from Pool).
  template <std::derived_from<Pool> P>
  PoolChoice(std::shared_ptr<P> pool) : pool_(std::move(pool)) {}

  /// True if neither a size nor a pool was given.
  bool empty() const noexcept { return !size_ && !pool_; }
  /// The pool size given, if any.
  const std::optional<int>& size() const noexcept { return size_; }
  /// The pool object given, if any.
  const std::shared_ptr<Pool>& pool() const noexcept { return pool_; }

 private:
  std::optional<int> size_;
  std::shared_ptr<Pool> pool_;
};

/// How to run: with how many workers, and from which seed.
struct RunOptions {
  /// Workers for likelihood evaluations. Default: the CPUs this process may use (affinity
  /// mask, cgroup quota, SLURM_CPUS_PER_TASK). 1 runs serially. Not together with `pool`.
  std::optional<int> ncores{};
  /// A pool object, or a pool size (same as `ncores`). Not together with `ncores`.
  PoolChoice pool{};
  /// Seeds every random stream. The same seed and options give the same result, bit for
  /// bit, whatever the pool.
  std::uint64_t seed = 1;

  /// Checkpoint file (empty: none). Written every `checkpoint_every` seconds, when the run is
  /// interrupted, and at the end; by the root process only, atomically, keeping the one before
  /// as `checkpoint`.prev.
  std::string checkpoint{};
  /// Seconds between checkpoints. 0 writes one after every iteration.
  double checkpoint_every = 300.0;
  /// If `checkpoint` exists, continue from it: the result is the one an uninterrupted run
  /// would have given, bit for bit. A checkpoint of another model, options or seed is
  /// refused with a CheckpointError. false starts afresh and overwrites it.
  bool resume = true;

  /// The run's status (a status line on stderr, with the default logger) every
  /// `progress_every` seconds, on the root process only.
  bool progress = true;
  /// Seconds between status lines and on_progress calls. 0: 1 s on a terminal (a live line),
  /// 30 s otherwise (one line per update, for log files). Runs shorter than this print nothing.
  double progress_every = 0.0;
  /// Called with the same throttle as the status line (whether or not it is printed), and once
  /// more at the end with Progress::finished set.
  std::function<void(const Progress&)> on_progress{};

  /// Catch SIGINT and SIGTERM during the run: finish the current batch, write the checkpoint
  /// and throw parnest::Interrupted. A second signal ends the process at once. (`stop` does
  /// the same from inside the program.)
  bool handle_signals = true;

  /// Seconds one likelihood call may take per point (0: no limit), for a likelihood that can
  /// hang (an ODE solver that never converges, a stuck file system). On worker processes (a
  /// model with thread_safe = false and ncores > 1) the worker is killed and its points re-run
  /// alone, up to ProcessPool::Options::max_retries times, before the run fails with a
  /// PoolError naming the point. In this process (serial, threads, MPI ranks) a call cannot
  /// be stopped safely: a warning names its point each time it has run this long again, and
  /// the result lists how many calls ran over. A ProcessPool of your own uses its
  /// Options::row_timeout instead.
  double row_timeout = 0.0;

  /// Stop once the run has made this many likelihood calls (0: no limit). Looked at between
  /// batches, so the last batch may go past it. The result is what the run has so far, with a
  /// warning in Result::warnings that says what is missing. With a `checkpoint`, the state
  /// before the stop is kept there: run again with a larger max_calls to go on from it.
  std::size_t max_calls = 0;
  /// Stop after this many seconds of wall time in this run() (0: no limit), as for
  /// max_calls: for a batch job, set it below the job's time limit and resubmit the job to
  /// continue from the checkpoint. Unlike every other option, where the run stops depends on
  /// the machine, so the result is reproducible only from the checkpoint on.
  double max_seconds = 0.0;

  /// Where the run's notes, warnings and status go (null: a StderrLogger).
  std::shared_ptr<Logger> logger{};
  /// When triggered (std::stop_source::request_stop(), from any thread or from on_progress),
  /// the run stops after its current batch as for SIGINT: it writes the checkpoint and
  /// throws parnest::Interrupted, whose signal() is then 0.
  std::stop_token stop{};
};

}  // namespace parnest
