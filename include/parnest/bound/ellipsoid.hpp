#pragma once
/// @file bound/ellipsoid.hpp
/// An ellipsoid in the unit hypercube: the building block of the bounds proposals come from.

#include <cmath>
#include <numbers>
#include <span>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "parnest/detail/flat.hpp"
#include "parnest/detail/geometry.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

/// The set {x : (x - c)^T (A A^T)^{-1} (x - c) <= 1}, with A lower-triangular.
class Ellipsoid {
 public:
  /// The smallest ellipsoid with the points' covariance shape that holds every point (rows of
  /// `points`, at least d + 1 of them), then scaled so that its volume grows by `enlarge` (>= 1).
  static Ellipsoid bounding(const RowMatrix& points, double enlarge = 1.0) {
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
    e.axes_ = llt.matrixL();
    // Largest Mahalanobis distance of any point: scale the shape until it holds them all.
    e.set_inverse();
    double max_r2 = 0.0;
    for (Eigen::Index i = 0; i < points.rows(); ++i)
      max_r2 = std::max(max_r2, e.distance2(points.row(i).transpose()));
    return e.scaled(std::sqrt(max_r2) * std::pow(enlarge, 1.0 / static_cast<double>(d)));
  }

  /// This ellipsoid with every axis multiplied by `factor` (> 0).
  Ellipsoid scaled(double factor) const {
    Ellipsoid e = *this;
    e.axes_ *= factor;
    e.set_inverse();
    return e;
  }

  std::size_t dimension() const noexcept { return static_cast<std::size_t>(center_.size()); }
  const Eigen::VectorXd& center() const noexcept { return center_; }
  /// The lower-triangular A: x = center + A z maps the unit ball onto the ellipsoid.
  const Eigen::MatrixXd& axes() const noexcept { return axes_; }
  /// log of the ellipsoid's volume.
  double log_volume() const noexcept { return log_volume_; }

  /// (x - c)^T (A A^T)^{-1} (x - c): at most 1 inside.
  template <class Vector>
  double distance2(const Vector& x) const {
    return (inverse_axes_.triangularView<Eigen::Lower>() * (x - center_)).squaredNorm();
  }
  /// A^{-1} (x - c) into `z`: the ellipsoid's own coordinates, in which it is the unit ball.
  /// Writes into the caller's storage, as bounds call it for every proposal.
  void whitened(std::span<const double> x, std::span<double> z) const {
    Eigen::Map<Eigen::VectorXd>(z.data(), center_.size()).noalias() =
        inverse_axes_.triangularView<Eigen::Lower>() *
        (Eigen::Map<const Eigen::VectorXd>(x.data(), center_.size()) - center_);
  }
  bool contains(std::span<const double> x) const {
    return distance2(Eigen::Map<const Eigen::VectorXd>(x.data(), center_.size())) <= 1.0;
  }

  /// A point drawn uniformly from the ellipsoid into `x`.
  void sample(RandomStream& rng, std::span<double> x) const {
    Eigen::VectorXd z(center_.size());
    detail::draw_in_unit_ball(rng, z);
    Eigen::Map<Eigen::VectorXd>(x.data(), center_.size()) =
        center_ + axes_.triangularView<Eigen::Lower>() * z;
  }

  /// Every member, bit for bit (derived ones too, so that nothing is recomputed differently).
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& e) {
    ar.sized(e.center_);
    ar.sized(e.axes_);
    ar.sized(e.inverse_axes_);
    ar.value(e.log_volume_);
    if constexpr (Archive::loading) {
      const auto d = e.center_.size();
      if (e.axes_.rows() != d || e.axes_.cols() != d || e.inverse_axes_.rows() != d ||
          e.inverse_axes_.cols() != d)
        throw IoError("an ellipsoid's data is corrupt: centre of dimension " + std::to_string(d) +
                      ", axes " + std::to_string(e.axes_.rows()) + " x " +
                      std::to_string(e.axes_.cols()));
    }
  }

  /// log of the volume of the unit ball in d dimensions.
  static double log_unit_ball_volume(Eigen::Index d) {
    const double h = 0.5 * static_cast<double>(d);
    return h * std::log(std::numbers::pi) - std::lgamma(h + 1.0);
  }

 private:
  void set_inverse() {
    inverse_axes_ = axes_.triangularView<Eigen::Lower>().solve(
        Eigen::MatrixXd::Identity(axes_.rows(), axes_.cols()));
    log_volume_ = log_unit_ball_volume(axes_.rows()) + axes_.diagonal().array().abs().log().sum();
  }

  Eigen::VectorXd center_;
  Eigen::MatrixXd axes_;          // lower-triangular A
  Eigen::MatrixXd inverse_axes_;  // A^{-1}, lower-triangular
  double log_volume_ = 0.0;
};

}  // namespace parnest::detail
