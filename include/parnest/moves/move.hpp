#pragma once
/// @file moves/move.hpp
/// What the constrained moves share: a point in the unit cube with its parameters and
/// log-likelihood, the counts the sampler adapts from, and the unit-cube test.

#include <algorithm>
#include <span>

#include "parnest/detail/geometry.hpp"

namespace parnest::detail::moves {

using detail::in_unit_cube;

/// The current point of a move: unit-cube coordinates, parameters, log-likelihood.
struct Point {
  std::span<double> u;
  std::span<double> theta;
  double log_l;

  /// Moves to an accepted trial point.
  void accept(std::span<const double> trial_u, std::span<const double> trial_theta,
              double trial_log_l) {
    std::copy(trial_u.begin(), trial_u.end(), u.begin());
    std::copy(trial_theta.begin(), trial_theta.end(), theta.begin());
    log_l = trial_log_l;
  }
};

/// Counts of one move, summed by the sampler over a batch to adapt step sizes and choose
/// between samplers.
struct Counts {
  double calls = 0;     ///< likelihood evaluations
  double accepted = 0;  ///< proposals inside the constraint
  double proposed = 0;  ///< proposals made (including those outside the unit cube)
};

}  // namespace parnest::detail::moves
