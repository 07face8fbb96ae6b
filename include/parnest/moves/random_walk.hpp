#pragma once
/// @file moves/random_walk.hpp
/// A Metropolis random walk under the likelihood constraint, started from a live point, with
/// steps uniform in an ellipsoid shaped like the live points, scaled by an adaptive factor.

#include <Eigen/Core>

#include "parnest/bound/ellipsoid.hpp"
#include "parnest/detail/geometry.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/moves/move.hpp"

namespace parnest::detail::moves {

/// Walks exactly `walks` Metropolis steps from `point` (in place; its theta and log_l must be
/// those of its u), accepting steps inside the unit cube with log L > threshold. Steps are
/// `scale` times a draw from `shape` (nullptr: the unit cube's own scale); the shape must not
/// depend on the point, or the walk would no longer keep its target. If none is
/// accepted the point stays where it is: walking on until one is accepted would make the
/// number of steps depend on the path and push points away from the contour's edge.
inline void random_walk(const detail::Problem& problem, const Ellipsoid* shape, double threshold,
                        RandomStream& rng, std::size_t walks, double scale, Point& point,
                        Counts& counts) {
  const Eigen::Index d = static_cast<Eigen::Index>(point.u.size());
  const Eigen::MatrixXd axes = shape ? shape->axes() : Eigen::MatrixXd::Identity(d, d);
  Eigen::VectorXd z(d), trial(d), trial_theta(d);
  for (std::size_t step = 0; step < walks; ++step) {
    detail::draw_in_unit_ball(rng, z);
    z = axes.triangularView<Eigen::Lower>() * z;
    trial = Eigen::Map<const Eigen::VectorXd>(point.u.data(), d) + scale * z;
    counts.proposed += 1;
    if (!in_unit_cube({trial.data(), static_cast<std::size_t>(d)})) continue;
    const double log_l = problem.evaluate({trial.data(), static_cast<std::size_t>(d)},
                                          {trial_theta.data(), static_cast<std::size_t>(d)});
    counts.calls += 1;
    if (log_l > threshold) {
      point.accept({trial.data(), static_cast<std::size_t>(d)},
                   {trial_theta.data(), static_cast<std::size_t>(d)}, log_l);
      counts.accepted += 1;
    }
  }
}

}  // namespace parnest::detail::moves
