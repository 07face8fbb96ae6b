#pragma once
/// @file moves/uniform.hpp
/// Rejection sampling: draw uniformly from the bound until log L exceeds the threshold.
/// Independent of the start point; efficient while the bound hugs the likelihood contour.

#include <string>

#include "parnest/bound/union.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/error.hpp"
#include "parnest/moves/move.hpp"

namespace parnest::detail::moves {

/// Writes into `out` a point uniform in bound ∩ cube with log L > threshold.
/// @throws SamplerError after `max_draws` draws without success.
inline void uniform(const detail::Problem& problem, const Bound& bound, double threshold,
                    RandomStream& rng, std::size_t max_draws, Point& out, Counts& counts) {
  for (std::size_t draw = 0; draw < max_draws; ++draw) {
    bound.sample(rng, out.u);
    counts.proposed += 1;
    if (!in_unit_cube(out.u)) continue;  // outside the prior: costs no likelihood call
    const double log_l = problem.evaluate(out.u, out.theta);
    counts.calls += 1;
    if (log_l > threshold) {
      out.log_l = log_l;
      counts.accepted += 1;
      return;
    }
  }
  throw SamplerError("no point with log-likelihood above " + std::to_string(threshold) +
                     " found in " + std::to_string(max_draws) + " draws (" +
                     std::to_string(static_cast<std::size_t>(counts.calls)) +
                     " likelihood calls) from the " + (bound.is_cube() ? "unit cube" : "bound") +
                     ": the likelihood may be flat at that value (a plateau), or its region "
                     "above the threshold too small to find");
}

}  // namespace parnest::detail::moves
