#pragma once
/// @file moves/pcn.hpp
/// The preconditioned Crank-Nicolson proposal with Student-t tails (as in pocoMC): a move that
/// leaves a multivariate t-distribution exactly invariant, so that when that t fits the target
/// the moves can be long (rho near 1) and still be accepted.

#include <cmath>
#include <numbers>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "parnest/rng.hpp"

namespace parnest::detail {

/// A gamma(shape, 1) variate, shape > 0 (Marsaglia & Tsang 2000; shape < 1 by the boost
/// u^(1/shape)).
inline double gamma_variate(double shape, RandomStream& rng) {
  if (shape < 1.0) return gamma_variate(shape + 1.0, rng) * std::pow(rng.uniform_open(), 1 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

/// The multivariate t-distribution t_nu(mean, scale) and the pCN move that keeps it invariant.
class StudentPcn {
 public:
  StudentPcn() = default;
  /// @param scale a positive-definite scale matrix (the covariance times (nu - 2) / nu).
  StudentPcn(Eigen::VectorXd mean, const Eigen::MatrixXd& scale, double nu)
      : mean_(std::move(mean)), lower_(scale.llt().matrixL()), nu_(nu) {}

  std::size_t dimension() const { return static_cast<std::size_t>(mean_.size()); }

  /// The squared Mahalanobis distance of x from the mean.
  double distance2(const Eigen::VectorXd& x) const {
    return lower_.triangularView<Eigen::Lower>().solve(x - mean_).squaredNorm();
  }

  /// log density up to a constant.
  double log_density(const Eigen::VectorXd& x) const {
    return -0.5 * (nu_ + static_cast<double>(mean_.size())) * std::log1p(distance2(x) / nu_);
  }

  /// x' = mean + sqrt(1 - rho^2) (x - mean) + rho sqrt(s) L xi: given the latent scale s of x
  /// (drawn from its conditional, an inverse gamma), this is the Gaussian pCN move for
  /// N(mean, s L L^T), so the t, a scale mixture of those Gaussians, is invariant. An
  /// acceptance test against the target divided by this t makes it exact for the target.
  Eigen::VectorXd propose(const Eigen::VectorXd& x, double rho, RandomStream& rng) const {
    const auto d = static_cast<double>(mean_.size());
    const double s = 0.5 * (nu_ + distance2(x)) / gamma_variate(0.5 * (nu_ + d), rng);
    return mean_ + std::sqrt(1 - rho * rho) * (x - mean_) + rho * std::sqrt(s) * shaped_noise(rng);
  }

  /// A draw from the t itself.
  Eigen::VectorXd draw(RandomStream& rng) const {
    const double s = 0.5 * nu_ / gamma_variate(0.5 * nu_, rng);
    return mean_ + std::sqrt(s) * shaped_noise(rng);
  }

  /// The normalised log density (for importance sampling from the t).
  double log_normalised_density(const Eigen::VectorXd& x) const {
    const auto d = static_cast<double>(mean_.size());
    return std::lgamma(0.5 * (nu_ + d)) - std::lgamma(0.5 * nu_) -
           0.5 * d * std::log(nu_ * std::numbers::pi) - lower_.diagonal().array().log().sum() +
           log_density(x);
  }

  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::MatrixXd& lower() const { return lower_; }
  double nu() const { return nu_; }

 private:
  // L xi for a standard normal xi: a draw of N(0, scale).
  Eigen::VectorXd shaped_noise(RandomStream& rng) const {
    Eigen::VectorXd xi(mean_.size());
    for (Eigen::Index i = 0; i < xi.size(); ++i) xi[i] = rng.normal();
    return lower_ * xi;
  }

  Eigen::VectorXd mean_;
  Eigen::MatrixXd lower_;
  double nu_ = 1.0;
};

}  // namespace parnest::detail
