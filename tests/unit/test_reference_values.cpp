// The reference evidences the statistical tests compare against must themselves be right:
// recompute the ones obtained by quadrature.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "problems.hpp"

TEST_CASE("Rosenbrock's reference log Z is what quadrature gives", "[reference]") {
  // Inner y integral over [-5, 5] analytic; outer x integral by the trapezoid rule.
  const int n = 200000;
  const double h = 10.0 / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = -5 + i * h, w = (i == 0 || i == n) ? 0.5 : 1.0;
    const double inner = std::sqrt(std::numbers::pi) / 20 *
                         (std::erf(10 * (5 - x * x)) + std::erf(10 * (5 + x * x)));
    sum += w * std::exp(-(1 - x) * (1 - x)) * inner;
  }
  CHECK(std::log(sum * h / 100) == Approx(parnest::reference::rosenbrock().log_z).margin(1e-5));
}

TEST_CASE("the eggbox's reference log Z is what quadrature gives", "[reference]") {
  // Midpoint rule on a periodic, smooth integrand: converges fast.
  const int m = 1000;
  const double h = 10 * std::numbers::pi / m, peak = std::pow(3.0, 5);
  double sum = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      sum += std::exp(std::pow(2 + std::cos((i + 0.5) * h / 2) * std::cos((j + 0.5) * h / 2), 5) -
                      peak);
  const double log_z = std::log(sum * h * h / (100 * std::numbers::pi * std::numbers::pi)) + peak;
  CHECK(log_z == Approx(parnest::reference::eggbox().log_z).margin(1e-5));
}

TEST_CASE("the analytic reference values are self-consistent", "[reference]") {
  CHECK(parnest::reference::gaussian_shells().log_z == Approx(-1.7456).margin(1e-4));
  CHECK(parnest::reference::readme_gaussian().log_z == Approx(-7.3725).margin(1e-4));
  CHECK(parnest::reference::gaussian(10).log_z == Approx(0.0).margin(1e-5));
  // The correlated Gaussian's standard deviations are as documented.
  const auto corr = parnest::reference::correlated_gaussian();
  for (double sd : corr.sd) {
    CHECK(sd >= 0.03);
    CHECK(sd <= 0.08);
  }
}
