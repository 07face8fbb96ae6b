#pragma once
// The two shapes every bound and move is built on: the unit cube (the prior's support in u)
// and the unit ball (mapped onto ellipsoids).

#include <algorithm>
#include <cmath>
#include <span>

#include <Eigen/Core>

#include "parnest/rng.hpp"

namespace parnest::detail {

/// True if every coordinate of u lies in [0, 1].
inline bool in_unit_cube(std::span<const double> u) {
  return std::all_of(u.begin(), u.end(), [](double x) { return x >= 0.0 && x <= 1.0; });
}

/// Overwrites z (of size d) with a point uniform in the d-dimensional unit ball: a direction
/// uniform on the sphere, and a radius with density proportional to r^(d-1).
inline void draw_in_unit_ball(RandomStream& rng, Eigen::VectorXd& z) {
  for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = rng.normal();
  z *= std::pow(rng.uniform_open(), 1.0 / static_cast<double>(z.size())) / z.norm();
}

}  // namespace parnest::detail
