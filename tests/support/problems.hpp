#pragma once
// Reference problems with known evidence, shared by the tests and bench/. Each documents where
// its log Z comes from.

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <parnest/detail/normal.hpp>
#include <parnest/model.hpp>

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

/// Normalised isotropic Gaussian N(0.5, sigma^2) in d dims, uniform prior on [0,1]^d:
/// Z = prod over dims of the Gaussian's mass inside [0,1] = (2 Phi(0.5/sigma) - 1)^d.
inline Problem gaussian(std::size_t d, double sigma = 0.1) {
  Problem p;
  p.name = "gauss-" + std::to_string(d);
  p.model.names = numbered_names(d);
  p.model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = u[i];
  };
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

/// Two Gaussian shells (Feroz, Hobson & Bridges 2009): radius 2, width 0.1, centres (+-3.5, 0),
/// prior U[-6, 6]^2. Each shell integrates to 2 pi r (the radial Gaussian lies well inside the
/// box and away from rho = 0), so Z = 2 * 4 pi / 144 and log Z = log(pi / 18) = -1.7456.
inline Problem gaussian_shells() {
  Problem p;
  p.name = "shells-2";
  p.model.names = {"x", "y"};
  p.model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < 2; ++i) theta[i] = -6.0 + 12.0 * u[i];
  };
  p.model.log_likelihood = [](std::span<const double> t) {
    constexpr double r = 2.0, w = 0.1;
    const double log_norm = -0.5 * std::log(2 * std::numbers::pi * w * w);
    auto shell = [&](double cx) {
      const double rho = std::hypot(t[0] - cx, t[1]);
      return log_norm - 0.5 * (rho - r) * (rho - r) / (w * w);
    };
    const double a = shell(-3.5), b = shell(3.5);
    const double m = std::max(a, b);
    return m + std::log(std::exp(a - m) + std::exp(b - m));
  };
  p.log_z = std::log(std::numbers::pi / 18.0);
  p.mean = {0.0, 0.0};  // symmetric in x and in y
  return p;
}

/// The README's first example: a Gaussian of width 0.1 in U[-5, 5]^2, unnormalised:
/// Z = 2 pi sigma^2 / 100, log Z = -7.3717.
inline Problem readme_gaussian() {
  Problem p;
  p.name = "readme-gauss-2";
  p.model.names = {"x", "y"};
  p.model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -5.0 + 10.0 * u[i];
  };
  p.model.log_likelihood = [](std::span<const double> theta) {
    return -0.5 * (theta[0] * theta[0] + theta[1] * theta[1]) / 0.01;
  };
  p.log_z = std::log(2 * std::numbers::pi * 0.01 / 100.0);
  p.mean = {0.0, 0.0};
  p.sd = {0.1, 0.1};
  return p;
}

}  // namespace parnest::reference
