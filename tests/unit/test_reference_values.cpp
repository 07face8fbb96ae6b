// The reference evidences the statistical tests compare against must themselves be right:
// recompute the ones obtained by quadrature.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include <Eigen/Core>

#include "problems.hpp"

namespace {
// The trapezoid rule for f on [a, b] with n intervals.
template <class F>
double trapezoid(F f, double a, double b, int n) {
  const double h = (b - a) / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) sum += ((i == 0 || i == n) ? 0.5 : 1.0) * f(a + i * h);
  return sum * h;
}
}  // namespace

TEST_CASE("Rosenbrock's reference log Z is what quadrature gives", "[reference]") {
  // Inner y integral over [-5, 5] analytic; outer x integral by the trapezoid rule.
  const double z = trapezoid(
      [](double x) {
        const double inner = std::sqrt(std::numbers::pi) / 20 *
                             (std::erf(10 * (5 - x * x)) + std::erf(10 * (5 + x * x)));
        return std::exp(-(1 - x) * (1 - x)) * inner;
      },
      -5.0, 5.0, 200000);
  CHECK(std::log(z / 100) == Approx(parnest::reference::rosenbrock().log_z).margin(1e-5));
}

TEST_CASE("Rosenbrock-10's reference log Z is what a transfer matrix gives", "[reference]") {
  // The integrand is a chain, prod_i g(x_i) K(x_i, x_{i+1}): nine products of the kernel
  // matrix K on a trapezoid grid, g(x) = exp(-(1 - x)^2), K(x, y) = exp(-100 (y - x^2)^2).
  const int n = 2001;
  const double h = 10.0 / (n - 1);
  Eigen::VectorXd x(n), w = Eigen::VectorXd::Constant(n, h);
  for (int i = 0; i < n; ++i) x[i] = -5 + i * h;
  w[0] = w[n - 1] = h / 2;
  Eigen::MatrixXd kernel(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      kernel(i, j) = std::exp(-100 * (x[j] - x[i] * x[i]) * (x[j] - x[i] * x[i]));
  const Eigen::VectorXd g = (-(1 - x.array()).square()).exp();
  Eigen::RowVectorXd f = Eigen::RowVectorXd::Ones(n);
  for (int link = 0; link < 9; ++link)
    f = (f.array() * g.transpose().array() * w.transpose().array()).matrix() * kernel;
  const double log_z = std::log(f.dot(w)) - 10 * std::log(10.0);
  CHECK(log_z == Approx(parnest::reference::rosenbrock(10).log_z).margin(1e-5));
}

TEST_CASE("the funnel's reference log Z is what the trapezoid rule gives", "[reference]") {
  // Another rule than the documented Simpson's: the marginal of v times the x's mass in the box.
  const double z = trapezoid(
      [](double v) {
        const double inner = 2 * parnest::detail::normal_cdf(10 * std::exp(-v / 2)) - 1;
        return std::exp(-v * v / 18) / std::sqrt(18 * std::numbers::pi) * std::pow(inner, 9);
      },
      -10.0, 10.0, 200000);
  CHECK(std::log(z) - 10 * std::log(20.0) ==
        Approx(parnest::reference::funnel().log_z).margin(1e-5));
}

TEST_CASE("the LogGamma factor's mass in [0, 1] is what the midpoint rule gives", "[reference]") {
  // The closed-form CDF of the reference against the density itself, for one loggamma factor
  // (shape 1, loc 1/3, scale 1/30), on 10^6 midpoints; and the 10-D value against the papers'
  // "log Z = 0".
  const int n = 1000000;
  const double s = 1.0 / 30, m = 1.0 / 3;
  double mass = 0;
  for (int i = 0; i < n; ++i) {
    const double z = ((i + 0.5) / n - m) / s;
    mass += std::exp(z - std::exp(z)) / s / n;
  }
  CHECK(mass ==
        Approx(std::exp(-std::exp(-m / s)) - std::exp(-std::exp((1 - m) / s))).margin(1e-9));
  const auto problem = parnest::reference::loggamma(10);
  CHECK(problem.log_z == Approx(0.0).margin(1e-4));
  CHECK(problem.log_z < 0.0);
  // The likelihood is a normalised density: at the peak region it is large, far away tiny.
  const std::vector<double> peak{2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3,
                                 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3};
  CHECK(problem.model.log_likelihood(peak) > 20.0);
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
  // The three-Gaussian mixture loses only the widest mode's far tails to the cube's edges.
  CHECK(parnest::reference::mixture3().log_z == Approx(0.0).margin(1e-4));
  // The correlated Gaussian's standard deviations are as documented.
  const auto corr = parnest::reference::correlated_gaussian();
  for (double sd : corr.sd) {
    CHECK(sd >= 0.03);
    CHECK(sd <= 0.08);
  }
}

namespace {
// log Z of a 2-D problem by the midpoint rule on an n x n grid of the unit cube, through the
// problem's own prior transform and likelihood: Z is the likelihood's mean over the prior.
double grid_log_z(const parnest::reference::Problem& p, int n) {
  double sum = 0.0;
  std::vector<double> u(2), theta(2);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      u = {(i + 0.5) / n, (j + 0.5) / n};
      p.model.prior(u, theta);
      sum += std::exp(p.model.log_likelihood(theta));
    }
  return std::log(sum / n / n);
}
}  // namespace

TEST_CASE("the suite's 2-D evidences are what the midpoint rule on their likelihoods gives",
          "[reference]") {
  namespace ref = parnest::reference;
  for (const auto& p : {ref::gaussian_shells(), ref::mixture2(), ref::offset_gaussian(2),
                        ref::edge_gaussian(2), ref::plateau(), ref::loggamma(2)}) {
    INFO(p.name);
    CHECK(grid_log_z(p, 3000) == Approx(p.log_z).margin(2e-4));
  }
}

TEST_CASE("the shells' evidence in 5 and 10 dimensions matches Feroz et al.", "[reference]") {
  // Their -5.67 and -14.59, to the two decimals they give.
  CHECK(parnest::reference::gaussian_shells(5).log_z == Approx(-5.67).margin(0.005));
  CHECK(parnest::reference::gaussian_shells(10).log_z == Approx(-14.59).margin(0.005));
}

TEST_CASE("the Student-t factor's mass in the box is what the trapezoid rule gives",
          "[reference]") {
  // The closed-form t_3 CDF of the reference against the density itself, on one factor.
  const auto p = parnest::reference::student_t(1);
  const double z = trapezoid(
                       [&](double x) {
                         return std::exp(p.model.log_likelihood({&x, 1}));
                       },
                       -10, 10, 2000000) /
                   20;
  CHECK(std::log(z) == Approx(p.log_z).margin(1e-8));
  CHECK(parnest::reference::student_t(6).log_z == Approx(6 * p.log_z).margin(1e-12));
}

TEST_CASE("the thin Gaussian is normalised: its peak is the equicorrelated determinant's",
          "[reference]") {
  // log Z = 0 needs a normalised density. An 8-D sum would be costly; the value at the centre
  // checks the normalisation (the Cholesky factor's log determinant) against the closed form
  // of the equicorrelated determinant, sd^(2d) (1 - rho)^(d - 1) (1 + (d - 1) rho).
  const auto p = parnest::reference::thin_gaussian(8);
  const std::vector<double> centre(8, 0.5);
  const double log_det = 16 * std::log(0.015) + 7 * std::log(0.01) + std::log(1 + 7 * 0.99);
  CHECK(p.model.log_likelihood(centre) ==
        Approx(-4 * std::log(2 * std::numbers::pi) - 0.5 * log_det).margin(1e-9));
}
