#pragma once
/// @file bound/ellipsoid.hpp
/// An ellipsoid in the unit hypercube: the bound that proposals are drawn from.

#include <cmath>
#include <numbers>
#include <span>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest {

/// The set {x : (x - c)^T (A A^T)^{-1} (x - c) <= 1}, with A lower-triangular.
class Ellipsoid {
 public:
  /// The smallest ellipsoid with the points' covariance shape that holds every point (rows of
  /// `points`), then scaled so that its volume grows by `enlarge` (>= 1): the margin for
  /// parts of the likelihood contour that no point happens to touch.
  static Ellipsoid bounding(const RowMatrix& points, double enlarge) {
    const Eigen::Index d = points.cols();
    Ellipsoid e;
    e.center_ = points.colwise().mean().transpose();
    const RowMatrix centred = points.rowwise() - e.center_.transpose();
    Eigen::MatrixXd cov = (centred.transpose() * centred) / static_cast<double>(points.rows() - 1);
    // Points on a lower-dimensional set (e.g. a parameter the likelihood ignores and that the
    // points happen to share) would make the covariance singular; a tiny ridge keeps it usable.
    const double ridge = 1e-12 * std::max(cov.diagonal().maxCoeff(), 1e-300);
    Eigen::LLT<Eigen::MatrixXd> llt(cov);
    while (llt.info() != Eigen::Success) {
      cov.diagonal().array() += ridge;
      llt.compute(cov);
    }
    // Largest Mahalanobis distance of any point: scale the shape until it holds them all.
    const Eigen::MatrixXd whitened = llt.matrixL().solve(centred.transpose());
    const double max_r2 = whitened.colwise().squaredNorm().maxCoeff();
    const double scale = std::sqrt(max_r2) * std::pow(enlarge, 1.0 / static_cast<double>(d));
    e.axes_ = llt.matrixL();
    e.axes_ *= scale;
    e.log_volume_ = log_unit_ball_volume(d) + e.axes_.diagonal().array().log().sum();
    return e;
  }

  std::size_t dimension() const noexcept { return static_cast<std::size_t>(center_.size()); }
  const Eigen::VectorXd& center() const noexcept { return center_; }
  /// log of the ellipsoid's volume.
  double log_volume() const noexcept { return log_volume_; }

  /// A point drawn uniformly from the ellipsoid into `x`.
  void sample(RandomStream& rng, std::span<double> x) const {
    const auto d = center_.size();
    Eigen::VectorXd z(d);
    for (Eigen::Index i = 0; i < d; ++i) z[i] = rng.normal();
    // Direction uniform on the sphere, radius with density proportional to r^(d-1).
    z *= std::pow(rng.uniform_open(), 1.0 / static_cast<double>(d)) / z.norm();
    Eigen::Map<Eigen::VectorXd>(x.data(), d) = center_ + axes_.triangularView<Eigen::Lower>() * z;
  }

  /// log of the volume of the unit ball in d dimensions.
  static double log_unit_ball_volume(Eigen::Index d) {
    const double h = 0.5 * static_cast<double>(d);
    return h * std::log(std::numbers::pi) - std::lgamma(h + 1.0);
  }

 private:
  Eigen::VectorXd center_;
  Eigen::MatrixXd axes_;  // lower-triangular A
  double log_volume_ = 0.0;
};

}  // namespace parnest
