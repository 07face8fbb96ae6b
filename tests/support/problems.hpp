#pragma once
// Reference problems with known evidence, shared by the tests and bench/. Each documents where
// its log Z comes from.

#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <parnest/detail/normal.hpp>
#include <parnest/model.hpp>
#include <parnest/rng.hpp>

namespace parnest::reference {

struct Problem {
  std::string name;
  Model model;
  double log_z;                  // the true log-evidence
  std::vector<double> mean, sd;  // true posterior moments (empty when not known)
};

inline std::vector<std::string> numbered_names(std::size_t d) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < d; ++i) names.push_back(std::string("x").append(std::to_string(i)));
  return names;
}

/// The uniform prior on [lo, hi]^d.
inline PriorTransform box_prior(double lo, double hi) {
  return [lo, hi](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = lo + (hi - lo) * u[i];
  };
}

/// The mass of N(centre, sigma^2) inside [0, 1].
inline double unit_interval_mass(double centre, double sigma) {
  return detail::normal_cdf((1 - centre) / sigma) - detail::normal_cdf(-centre / sigma);
}

/// Normalised isotropic Gaussian N(0.5, sigma^2) in d dims, uniform prior on [0,1]^d:
/// Z = prod over dims of the Gaussian's mass inside [0,1] = (2 Phi(0.5/sigma) - 1)^d.
inline Problem gaussian(std::size_t d, double sigma = 0.1) {
  Problem p;
  p.name = "gauss-" + std::to_string(d);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(0.0, 1.0);
  const double log_norm =
      -0.5 * static_cast<double>(d) * std::log(2 * std::numbers::pi * sigma * sigma);
  p.model.log_likelihood = [sigma, log_norm](std::span<const double> x) {
    double r2 = 0.0;
    for (double xi : x) r2 += (xi - 0.5) * (xi - 0.5);
    return log_norm - 0.5 * r2 / (sigma * sigma);
  };
  p.log_z = static_cast<double>(d) * std::log(2 * detail::normal_cdf(0.5 / sigma) - 1);
  p.mean.assign(d, 0.5);
  p.sd.assign(d, sigma);  // truncation at 5 sigma changes it by < 1e-5
  return p;
}

/// Two Gaussian shells (Feroz, Hobson & Bridges 2009) in d dimensions: radius 2, width 0.1,
/// centres (+-3.5, 0, ..., 0), prior U[-6, 6]^d. The radial Gaussian lies well inside the box
/// and away from rho = 0, so each shell integrates to S_{d-1} times the integral of
/// rho^(d-1) N(rho; 2, 0.1^2), S_{d-1} the unit sphere's area; the trapezoid rule on 400,000
/// intervals of [0, 4] gives it. log Z = log(pi / 18) = -1.7456 in 2-D (exact), -5.6736 in 5-D
/// and -14.5905 in 10-D (Feroz et al.'s -1.75, -5.67, -14.59).
inline Problem gaussian_shells(std::size_t d = 2) {
  constexpr double radius = 2.0, width = 0.1;
  Problem p;
  p.name = "shells-" + std::to_string(d);
  p.model.names = d == 2 ? std::vector<std::string>{"x", "y"} : numbered_names(d);
  p.model.prior = box_prior(-6.0, 6.0);
  p.model.log_likelihood = [](std::span<const double> t) {
    const double log_norm = -0.5 * std::log(2 * std::numbers::pi * width * width);
    double rest = 0.0;  // the squared distance from the x axis
    for (std::size_t i = 1; i < t.size(); ++i) rest += t[i] * t[i];
    auto shell = [&](double cx) {
      // 2-D keeps std::hypot, with which docs/ measured the 2-D shells.
      const double rho =
          t.size() == 2 ? std::hypot(t[0] - cx, t[1]) : std::sqrt((t[0] - cx) * (t[0] - cx) + rest);
      return log_norm - 0.5 * (rho - radius) * (rho - radius) / (width * width);
    };
    const double a = shell(-3.5), b = shell(3.5);
    const double m = std::max(a, b);
    return m + std::log(std::exp(a - m) + std::exp(b - m));
  };
  if (d == 2) {
    p.log_z = std::log(std::numbers::pi / 18.0);
  } else {
    const double h = static_cast<double>(d) / 2;  // the unit sphere's area: 2 pi^h / Gamma(h)
    const double log_sphere = std::log(2.0) + h * std::log(std::numbers::pi) - std::lgamma(h);
    constexpr int intervals = 400'000;
    double integral = 0.0;
    for (int i = 0; i <= intervals; ++i) {
      const double rho = 4.0 * i / intervals, z = (rho - radius) / width;
      const double f = std::pow(rho, static_cast<double>(d) - 1) * std::exp(-0.5 * z * z) /
                       std::sqrt(2 * std::numbers::pi * width * width);
      integral += (i == 0 || i == intervals ? 0.5 : 1.0) * f * 4.0 / intervals;
    }
    p.log_z = std::log(2 * integral) + log_sphere - static_cast<double>(d) * std::log(12.0);
  }
  p.mean.assign(d, 0.0);  // symmetric in every coordinate
  return p;
}

/// The README's first example: a Gaussian of width 0.1 in U[-5, 5]^2, unnormalised:
/// Z = 2 pi sigma^2 / 100, log Z = -7.3725.
inline Problem readme_gaussian() {
  Problem p;
  p.name = "readme-gauss-2";
  p.model.names = {"x", "y"};
  p.model.prior = box_prior(-5.0, 5.0);
  p.model.log_likelihood = [](std::span<const double> theta) {
    return -0.5 * (theta[0] * theta[0] + theta[1] * theta[1]) / 0.01;
  };
  p.log_z = std::log(2 * std::numbers::pi * 0.01 / 100.0);
  p.mean = {0.0, 0.0};
  p.sd = {0.1, 0.1};
  return p;
}

/// Eggbox (Feroz, Hobson & Bridges 2009): log L = (2 + cos(x/2) cos(y/2))^5, prior
/// U[0, 10 pi]^2. log Z = 235.855940 by the midpoint rule on a 4000 x 4000 grid (exact to all
/// digits shown for this smooth periodic integrand; checked by a unit test).
inline Problem eggbox() {
  Problem p;
  p.name = "eggbox-2";
  p.model.names = {"x", "y"};
  p.model.prior = box_prior(0.0, 10.0 * std::numbers::pi);
  p.model.log_likelihood = [](std::span<const double> t) {
    return std::pow(2.0 + std::cos(0.5 * t[0]) * std::cos(0.5 * t[1]), 5);
  };
  p.log_z = 235.855940;
  p.mean = {5 * std::numbers::pi, 5 * std::numbers::pi};  // symmetric about the centre
  return p;
}

/// Rosenbrock in d dimensions: log L = -sum_i [(1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2], prior
/// U[-5, 5]^d. 2-D: log Z = -5.804132, the y integral analytic (an erf difference), the x
/// integral by the trapezoid rule on 2 million intervals. 10-D: log Z = -43.108355 by
/// transfer-matrix quadrature (the integrand is a chain: nine products of one kernel matrix on
/// a trapezoid grid). Both are recomputed by unit tests; other d have no reference (NaN).
inline Problem rosenbrock(std::size_t d = 2) {
  Problem p;
  p.name = "rosenbrock-" + std::to_string(d);
  p.model.names = d == 2 ? std::vector<std::string>{"x", "y"} : numbered_names(d);
  p.model.prior = box_prior(-5.0, 5.0);
  p.model.log_likelihood = [](std::span<const double> t) {
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < t.size(); ++i)
      s += (1 - t[i]) * (1 - t[i]) + 100 * (t[i + 1] - t[i] * t[i]) * (t[i + 1] - t[i] * t[i]);
    return -s;
  };
  p.log_z = d == 2 ? -5.804132 : d == 10 ? -43.108355 : std::nan("");
  return p;
}

/// A normalised Gaussian in U[0, 1]^d centred at 0.5 with covariance `c`, which must keep it
/// well inside the cube (then log Z = 0).
inline Problem centred_gaussian(std::string name, const Eigen::MatrixXd& c) {
  const Eigen::MatrixXd lower = Eigen::LLT<Eigen::MatrixXd>(c).matrixL();
  const auto d = static_cast<std::size_t>(c.rows());
  const double log_norm = -0.5 * static_cast<double>(d) * std::log(2 * std::numbers::pi) -
                          lower.diagonal().array().log().sum();
  Problem p;
  p.name = std::move(name);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(0.0, 1.0);
  p.model.log_likelihood = [lower, log_norm](std::span<const double> x) {
    const Eigen::VectorXd r =
        Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size())).array() -
        0.5;
    return log_norm - 0.5 * lower.triangularView<Eigen::Lower>().solve(r).squaredNorm();
  };
  p.log_z = 0.0;
  p.mean.assign(d, 0.5);
  for (Eigen::Index i = 0; i < c.rows(); ++i) p.sd.push_back(std::sqrt(c(i, i)));
  return p;
}

/// A normalised Gaussian in [0,1]^16 centred at 0.5 with a fixed random covariance: standard
/// deviations 0.03 to 0.08 and correlations from a random matrix (Philox stream, seed 2026).
/// Every direction keeps more than 6 sigma inside the cube, so log Z = 0 to 1e-8.
inline Problem correlated_gaussian(std::size_t d = 16) {
  RandomStream rng(2026, StreamPurpose::user, 0, 0);
  Eigen::MatrixXd w(d, d);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.normal();
  Eigen::MatrixXd c = w * w.transpose() + static_cast<double>(d) * Eigen::MatrixXd::Identity(d, d);
  const Eigen::VectorXd scale = c.diagonal().array().rsqrt();
  std::vector<double> sd(d);
  for (std::size_t i = 0; i < d; ++i) sd[i] = 0.03 + 0.05 * rng.uniform();
  const Eigen::Map<const Eigen::VectorXd> s(sd.data(), static_cast<Eigen::Index>(d));
  c = (s.cwiseProduct(scale)).asDiagonal() * c * (s.cwiseProduct(scale)).asDiagonal();
  return centred_gaussian("corrgauss-" + std::to_string(d), c);
}

/// Two normalised Gaussians in [0,1]^d with unequal weights: 0.8 N(0.3, 0.05^2 I) +
/// 0.2 N(0.7, 0.05^2 I), uniform prior. Both lie 6 sigma inside the cube in every direction,
/// so Z = 0.8 m^d + 0.2 m^d with m = 2 Phi(6) - 1, and log Z = d log m = -1e-9 d (zero to the
/// precision of any sampler). The weights show in the moments: each coordinate has mean
/// 0.8 x 0.3 + 0.2 x 0.7 = 0.38 and sd sqrt(0.05^2 + 0.8 x 0.2 x 0.4^2) = 0.1676.
inline Problem bimodal(std::size_t d = 4) {
  constexpr double sigma = 0.05, heavy = 0.8;
  const double log_norm =
      -0.5 * static_cast<double>(d) * std::log(2 * std::numbers::pi * sigma * sigma);
  Problem p;
  p.name = "bimodal-" + std::to_string(d);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(0.0, 1.0);
  p.model.log_likelihood = [log_norm](std::span<const double> x) {
    double r1 = 0.0, r2 = 0.0;
    for (double xi : x) {
      r1 += (xi - 0.3) * (xi - 0.3);
      r2 += (xi - 0.7) * (xi - 0.7);
    }
    const double a = std::log(heavy) - 0.5 * r1 / (sigma * sigma);
    const double b = std::log(1 - heavy) - 0.5 * r2 / (sigma * sigma);
    return log_norm + std::max(a, b) + std::log1p(std::exp(std::min(a, b) - std::max(a, b)));
  };
  p.log_z = static_cast<double>(d) * std::log(2 * detail::normal_cdf(0.3 / sigma) - 1);
  p.mean.assign(d, heavy * 0.3 + (1 - heavy) * 0.7);
  p.sd.assign(d, std::sqrt(sigma * sigma + heavy * (1 - heavy) * 0.4 * 0.4));
  return p;
}

/// Neal's funnel in 10-D: v ~ N(0, 3^2) and x_1..x_9 ~ N(0, e^v) given v, as the likelihood
/// (a normalised density), with the prior U[-10, 10]^10 on (v, x). The neck (v near -10, where
/// the x have sd e^-5) is the shape that defeats ellipsoids. Z is the density's mass inside the
/// box over the box's volume: 20^-10 times the integral over v in [-10, 10] of
/// N(v; 0, 9) (2 Phi(10 e^{-v/2}) - 1)^9, which Simpson's rule on 20,000 intervals gives as
/// log Z = -30.094608 (recomputed by a unit test with another rule).
inline Problem funnel() {
  constexpr std::size_t d = 10;
  Problem p;
  p.name = "funnel-10";
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(-10.0, 10.0);
  p.model.log_likelihood = [](std::span<const double> t) {
    const double v = t[0], log_2pi = std::log(2 * std::numbers::pi);
    double s = -0.5 * v * v / 9.0 - 0.5 * (log_2pi + std::log(9.0));
    for (std::size_t i = 1; i < t.size(); ++i)
      s += -0.5 * t[i] * t[i] * std::exp(-v) - 0.5 * (log_2pi + v);
    return s;
  };
  p.log_z = -30.094608;
  return p;
}

/// The LogGamma problem of Beaujean & Caldwell (2013), as in the nautilus and UltraNest
/// benchmarks, in d >= 2 dimensions on U[0, 1]^d: x_0 has density (LG(1/3) + LG(2/3)) / 2 and x_1
/// (N(1/3) + N(2/3)) / 2, four modes in all; x_2 .. x_{d/2+1} follow LG(2/3) and the rest
/// N(2/3), where LG(m) is scipy's loggamma with shape 1, loc m and scale 1/30 (density
/// e^{z - e^z} / s, z = (x - m) / s) and N(m) the normal of mean m and sd 1/30. log Z is the
/// product's mass inside the cube, exact from the two CDFs (1 - exp(-e^z) for LG): -2.3e-5 at 10-D,
/// "0" in the papers.
inline Problem loggamma(std::size_t d = 10) {
  constexpr double s = 1.0 / 30.0;
  auto log_lg = [](double x, double m) {
    const double z = (x - m) / s;
    return z - std::exp(z) - std::log(s);
  };
  auto log_n = [](double x, double m) {
    const double z = (x - m) / s;
    return -0.5 * z * z - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
  };
  auto half_sum = [](double a, double b) {
    const double m = std::max(a, b);
    return m + std::log(0.5 * (std::exp(a - m) + std::exp(b - m)));
  };
  auto lg_mass = [](double m) {
    auto cdf = [m](double x) { return 1 - std::exp(-std::exp((x - m) / s)); };
    return cdf(1.0) - cdf(0.0);
  };
  auto n_mass = [](double m) { return unit_interval_mass(m, s); };
  auto is_lg = [d](std::size_t i) { return 2 * i <= d + 2; };  // i in 2 .. (d + 2) / 2
  Problem p;
  p.name = "loggamma-" + std::to_string(d);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(0.0, 1.0);
  p.model.log_likelihood = [=](std::span<const double> x) {
    double l = half_sum(log_lg(x[0], 1.0 / 3), log_lg(x[0], 2.0 / 3)) +
               half_sum(log_n(x[1], 1.0 / 3), log_n(x[1], 2.0 / 3));
    for (std::size_t i = 2; i < x.size(); ++i)
      l += is_lg(i) ? log_lg(x[i], 2.0 / 3) : log_n(x[i], 2.0 / 3);
    return l;
  };
  p.log_z = std::log(0.5 * (lg_mass(1.0 / 3) + lg_mass(2.0 / 3))) +
            std::log(0.5 * (n_mass(1.0 / 3) + n_mass(2.0 / 3)));
  for (std::size_t i = 2; i < d; ++i)
    p.log_z += std::log(is_lg(i) ? lg_mass(2.0 / 3) : n_mass(2.0 / 3));
  return p;
}

/// One component of a mixture of isotropic Gaussians: weight, sd, centre.
struct GaussianMode {
  double weight, sigma;
  std::vector<double> centre;
};

/// A normalised mixture of isotropic Gaussians in U[0, 1]^d (d: the centres' length). Z is
/// exact: the weighted masses inside the cube, products of normal CDF differences.
inline Problem gaussian_mixture(std::string name, std::vector<GaussianMode> modes) {
  const std::size_t d = modes.front().centre.size();
  Problem p;
  p.name = std::move(name);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(0.0, 1.0);
  p.model.log_likelihood = [modes](std::span<const double> x) {
    thread_local std::vector<double> terms;
    terms.resize(modes.size());
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < modes.size(); ++k) {
      const GaussianMode& m = modes[k];
      double r2 = 0.0;
      for (std::size_t i = 0; i < x.size(); ++i) r2 += (x[i] - m.centre[i]) * (x[i] - m.centre[i]);
      terms[k] =
          std::log(m.weight) -
          0.5 * static_cast<double>(x.size()) * std::log(2 * std::numbers::pi * m.sigma * m.sigma) -
          0.5 * r2 / (m.sigma * m.sigma);
      top = std::max(top, terms[k]);
    }
    double sum = 0.0;
    for (double t : terms) sum += std::exp(t - top);
    return top + std::log(sum);
  };
  double z = 0.0;
  p.mean.assign(d, 0.0);
  for (const GaussianMode& m : modes) {
    double mass = m.weight;
    for (double c : m.centre) mass *= unit_interval_mass(c, m.sigma);
    z += mass;
    for (std::size_t i = 0; i < d; ++i) p.mean[i] += m.weight * m.centre[i];
  }
  p.log_z = std::log(z);
  return p;
}

/// Three Gaussians in U[0, 1]^3 with unequal weights and widths: 0.6 N(c_1, 0.01^2 I)
/// + 0.3 N(c_2, 0.08^2 I) + 0.1 N(c_3, 0.03^2 I), c_1 = (0.25, 0.3, 0.3), c_2 = (0.7, 0.65, 0.4),
/// c_3 = (0.35, 0.75, 0.75). The narrow heavy mode fills about 3e-4 of the prior, so a sampler
/// whose bounds close around the two wider modes before it lands a point there never finds it.
/// Only the widest mode loses any mass to the cube's edges (9.5e-5 of it): log Z = -2.84e-5.
inline Problem mixture3() {
  return gaussian_mixture("mixture3-3", {{0.6, 0.01, {0.25, 0.3, 0.3}},
                                         {0.3, 0.08, {0.7, 0.65, 0.4}},
                                         {0.1, 0.03, {0.35, 0.75, 0.75}}});
}

/// Two Gaussians in U[0, 1]^2, a heavy narrow one and a light wide one that the cube's edge
/// cuts: 0.7 N((0.3, 0.35), 0.02^2 I) + 0.3 N((0.7, 0.75), 0.12^2 I).
inline Problem mixture2() {
  return gaussian_mixture("mixture2-2", {{0.7, 0.02, {0.3, 0.35}}, {0.3, 0.12, {0.7, 0.75}}});
}

/// Two Gaussians in U[0, 1]^6 with weights 0.8 / 0.2 and widths 0.05 / 0.02: the light mode is
/// also the narrow one, found late by a sampler that shrinks around the heavy one.
inline Problem mixture6() {
  return gaussian_mixture("mixture2-6", {{0.8, 0.05, std::vector<double>(6, 0.35)},
                                         {0.2, 0.02, std::vector<double>(6, 0.7)}});
}

/// A product of independent normals N(centre_i, sigma_i) on [0, 1]^d. Exact: the product of
/// each normal's mass inside [0, 1].
inline Problem independent_gaussian(std::string name, std::vector<double> centre,
                                    std::vector<double> sigma) {
  Problem p;
  p.name = std::move(name);
  p.model.names = numbered_names(centre.size());
  p.model.prior = box_prior(0.0, 1.0);
  p.log_z = 0.0;
  for (std::size_t i = 0; i < centre.size(); ++i)
    p.log_z += std::log(unit_interval_mass(centre[i], sigma[i]));
  p.model.log_likelihood = [centre = std::move(centre),
                            sigma = std::move(sigma)](std::span<const double> x) {
    double l = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double z = (x[i] - centre[i]) / sigma[i];
      l += -0.5 * z * z - std::log(sigma[i]) - 0.5 * std::log(2 * std::numbers::pi);
    }
    return l;
  };
  return p;
}

/// A Gaussian in U[0, 1]^d with a different centre and width in every coordinate: centres
/// 0.5 + 0.35 (frac(i phi) - 1/2), widths log-spaced from 0.01 to 0.1 (phi the golden ratio).
/// Some centres lie within 2 sd of an edge, so the cube cuts the Gaussian; Z is exact, the
/// product of the normal CDF differences.
inline Problem offset_gaussian(std::size_t d) {
  std::vector<double> centre(d), sigma(d);
  for (std::size_t i = 0; i < d; ++i) {
    const double golden = std::fmod(static_cast<double>(i + 1) * std::numbers::phi, 1.0);
    centre[i] = 0.5 + 0.35 * (golden - 0.5);
    const double share = d == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(d - 1);
    sigma[i] = 0.01 * std::pow(10.0, share);
  }
  return independent_gaussian("offgauss-" + std::to_string(d), centre, sigma);
}

/// A thin, strongly correlated Gaussian in U[0, 1]^8 centred at 0.5: marginal sd 0.015, every
/// pair correlated 0.99, about 4.7 nats of information per parameter (-(1/2d) log det(2 pi e
/// C)). Its longest axis, sd 0.042 along the diagonal, keeps 33 sd inside the cube, so
/// log Z = 0 to double precision.
inline Problem thin_gaussian(std::size_t d = 8) {
  constexpr double sd = 0.015, rho = 0.99;
  Eigen::MatrixXd c = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(d),
                                                static_cast<Eigen::Index>(d), rho * sd * sd);
  c.diagonal().setConstant(sd * sd);
  return centred_gaussian("thingauss-" + std::to_string(d), c);
}

/// A product of d Student-t factors with 3 degrees of freedom, scale 0.5, centred at 0, on
/// U[-10, 10]^d: heavy tails that reach the box's walls. Z is exact from the t_3 CDF, F(t) =
/// 1/2 + (t / (sqrt(3) (1 + t^2/3)) + atan(t / sqrt(3))) / pi: log Z = d (log(F(20) - F(-20))
/// - log 20), -17.976 in 6-D.
inline Problem student_t(std::size_t d = 6) {
  constexpr double scale = 0.5, half_width = 10.0;
  Problem p;
  p.name = "student-" + std::to_string(d);
  p.model.names = numbered_names(d);
  p.model.prior = box_prior(-half_width, half_width);
  // t_3 density: Gamma(2) / (Gamma(3/2) sqrt(3 pi) s) (1 + z^2 / 3)^-2, Gamma(3/2) = sqrt(pi)/2.
  const double log_norm = std::log(2.0 / (std::numbers::pi * std::sqrt(3.0) * scale));
  p.model.log_likelihood = [log_norm](std::span<const double> x) {
    double l = 0.0;
    for (double xi : x) {
      const double z = xi / scale;
      l += log_norm - 2.0 * std::log1p(z * z / 3.0);
    }
    return l;
  };
  auto cdf = [](double t) {
    return 0.5 + (t / (std::sqrt(3.0) * (1 + t * t / 3)) + std::atan(t / std::sqrt(3.0))) /
                     std::numbers::pi;
  };
  const double t = half_width / scale;
  p.log_z = static_cast<double>(d) * (std::log(cdf(t) - cdf(-t)) - std::log(2 * half_width));
  p.mean.assign(d, 0.0);
  return p;
}

/// A likelihood with a plateau (Fowlie, Handley & Su 2020): L = max(N(x; 0.5, 0.05^2 I), 1) in
/// U[0, 1]^2, constant on the 93.5 % of the prior outside the disc of radius R where the
/// Gaussian falls to 1 (R^2 = 2 sigma^2 log N_0, N_0 = 1 / (2 pi sigma^2)). Exact: Z = (1 -
/// 1/N_0) + (1 - pi R^2), log Z = 0.651829; the plateau holds half the evidence.
inline Problem plateau() {
  constexpr double sigma = 0.05;
  const double log_peak = -std::log(2 * std::numbers::pi * sigma * sigma);
  Problem p;
  p.name = "plateau-2";
  p.model.names = {"x", "y"};
  p.model.prior = box_prior(0.0, 1.0);
  p.model.log_likelihood = [log_peak](std::span<const double> x) {
    const double r2 = (x[0] - 0.5) * (x[0] - 0.5) + (x[1] - 0.5) * (x[1] - 0.5);
    return std::max(log_peak - 0.5 * r2 / (sigma * sigma), 0.0);
  };
  const double radius2 = 2 * sigma * sigma * log_peak;
  p.log_z = std::log(1 - std::exp(-log_peak) + 1 - std::numbers::pi * radius2);
  p.mean = {0.5, 0.5};
  return p;
}

/// A Gaussian whose peak sits on a corner of the prior's box, as when every parameter of a fit
/// is pushed against a physical limit (a mass at 0, a fraction at 1): coordinate i has its
/// centre at 0 (i even) or 1 (i odd) and width 0.03 to 0.1, so only 2^-d of the Gaussian lies
/// in the cube. Exact: the product of the halves' masses inside [0, 1].
inline Problem edge_gaussian(std::size_t d) {
  std::vector<double> centre(d), sigma(d);
  for (std::size_t i = 0; i < d; ++i) {
    centre[i] = i % 2 == 0 ? 0.0 : 1.0;
    sigma[i] = d == 1 ? 0.05 : 0.03 + 0.07 * static_cast<double>(i) / static_cast<double>(d - 1);
  }
  return independent_gaussian("edgegauss-" + std::to_string(d), centre, sigma);
}

/// The public benchmark suite (docs/calibration.md): every problem above with a known evidence,
/// as the calibration program runs them. Ordered roughly by cost.
inline std::vector<Problem> suite() {
  return {gaussian(2),
          offset_gaussian(2),
          gaussian_shells(2),
          eggbox(),
          edge_gaussian(2),
          rosenbrock(2),
          loggamma(2),
          mixture2(),
          mixture3(),
          plateau(),
          bimodal(4),
          gaussian_shells(5),
          student_t(6),
          mixture6(),
          thin_gaussian(8),
          gaussian(10),
          offset_gaussian(10),
          edge_gaussian(6),
          gaussian_shells(10),
          loggamma(10),
          correlated_gaussian(),
          funnel(),
          offset_gaussian(30),
          gaussian(30),
          rosenbrock(10),
          readme_gaussian()};
}

}  // namespace parnest::reference
