#pragma once
/// @file moves/slice.hpp
/// Slice sampling under the likelihood constraint (Neal 2003; the rslice/PolyChord family):
/// one-dimensional slices along directions in the space whitened by an ellipsoid shaped like
/// the live points, either random directions or the whitened coordinate axes in turn.

#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "parnest/bound/ellipsoid.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/error.hpp"
#include "parnest/moves/move.hpp"

namespace parnest::detail::moves {

/// Which directions slices follow.
enum class SliceDirections {
  random,  ///< a direction uniform on the whitened sphere for each slice
  axes     ///< each whitened axis in turn (d slices per round), in a random order
};

namespace detail_slice {
// One slice update along u-space direction v from `point`: step out from a random interval of
// width 2 (the shape ellipsoid's diameter in whitened units), then shrink until a point above
// the threshold is found.
inline void update(const detail::Problem& problem, double threshold, RandomStream& rng,
                   const Eigen::VectorXd& v, std::size_t max_draws, Point& point, Counts& counts,
                   Eigen::VectorXd& trial, Eigen::VectorXd& trial_theta) {
  const Eigen::Index d = v.size();
  const Eigen::Map<const Eigen::VectorXd> x(point.u.data(), d);
  const std::span<double> trial_u(trial.data(), static_cast<std::size_t>(d));
  const std::span<double> trial_t(trial_theta.data(), static_cast<std::size_t>(d));
  auto above = [&](double t) {  // is x + t v inside the cube and the constraint?
    trial = x + t * v;
    counts.proposed += 1;
    if (!in_unit_cube(trial_u)) return false;
    counts.calls += 1;
    return problem.evaluate(trial_u, trial_t) > threshold;
  };
  constexpr double width = 2.0;
  double left = -width * rng.uniform(), right = left + width;
  for (std::size_t i = 0; i < max_draws && above(left); ++i) left -= width;
  for (std::size_t i = 0; i < max_draws && above(right); ++i) right += width;
  for (std::size_t i = 0; i < max_draws; ++i) {
    const double t = left + (right - left) * rng.uniform();
    trial = x + t * v;
    counts.proposed += 1;
    if (in_unit_cube(trial_u)) {
      const double log_l = problem.evaluate(trial_u, trial_t);
      counts.calls += 1;
      if (log_l > threshold) {
        point.accept(trial_u, trial_t, log_l);
        counts.accepted += 1;
        return;
      }
    }
    (t < 0 ? left : right) = t;
  }
  throw SamplerError("a slice found no point above log-likelihood " + std::to_string(threshold) +
                     " in " + std::to_string(max_draws) +
                     " proposals: the constrained region may be a plateau or vanishingly small");
}
}  // namespace detail_slice

/// Moves `point` (in place) by `slices` slice updates (random directions) or `slices` rounds
/// of d updates (axes), each ending above the threshold. Directions are whitened by `shape`
/// (nullptr: the unit cube's own axes), which must not depend on the point.
/// @throws SamplerError if one update fails within `max_draws` proposals.
inline void slice(const detail::Problem& problem, const Ellipsoid* shape, double threshold,
                  RandomStream& rng, std::size_t slices, SliceDirections directions,
                  std::size_t max_draws, Point& point, Counts& counts) {
  const Eigen::Index d = static_cast<Eigen::Index>(point.u.size());
  const Eigen::MatrixXd axes = shape ? shape->axes() : Eigen::MatrixXd::Identity(d, d);
  Eigen::VectorXd n(d), trial(d), trial_theta(d);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(d));
  for (std::size_t s = 0; s < slices; ++s) {
    if (directions == SliceDirections::random) {
      for (Eigen::Index i = 0; i < d; ++i) n[i] = rng.normal();
      n /= n.norm();
      detail_slice::update(problem, threshold, rng, axes.triangularView<Eigen::Lower>() * n,
                           max_draws, point, counts, trial, trial_theta);
      continue;
    }
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (Eigen::Index axis : order)
      detail_slice::update(problem, threshold, rng, axes.col(axis), max_draws, point, counts, trial,
                           trial_theta);
  }
}

}  // namespace parnest::detail::moves
