// The bounding ellipsoid: it must hold every point it was built from, have the volume it
// reports, and sample uniformly inside itself.
#include <catch2/catch.hpp>

#include <parnest/bound/ellipsoid.hpp>

#include <cmath>

#include <Eigen/LU>

TEST_CASE("the unit-ball volume is right in 1, 2, 3 and 10 dimensions", "[ellipsoid]") {
  using parnest::detail::Ellipsoid;
  CHECK(std::exp(Ellipsoid::log_unit_ball_volume(1)) == Approx(2.0));
  CHECK(std::exp(Ellipsoid::log_unit_ball_volume(2)) == Approx(M_PI));
  CHECK(std::exp(Ellipsoid::log_unit_ball_volume(3)) == Approx(4.0 / 3.0 * M_PI));
  CHECK(std::exp(Ellipsoid::log_unit_ball_volume(10)) == Approx(std::pow(M_PI, 5) / 120.0));
}

TEST_CASE("a bounding ellipsoid holds its points and samples uniformly inside", "[ellipsoid]") {
  const int d = 3, n = 400;
  parnest::RandomStream rng(1, parnest::StreamPurpose::user, 0, 0);
  parnest::RowMatrix points(n, d);
  for (int i = 0; i < n; ++i) {  // a tilted, stretched cloud
    const double shared = rng.normal();
    for (int j = 0; j < d; ++j) points(i, j) = 0.5 + 0.1 * (j + 1) * rng.normal() + 0.05 * shared;
  }
  const auto e = parnest::detail::Ellipsoid::bounding(points, 1.0);

  // Membership via the quadratic form, computed independently of the class.
  const Eigen::MatrixXd cov = [&] {
    const parnest::RowMatrix c = points.rowwise() - points.colwise().mean();
    return Eigen::MatrixXd(c.transpose() * c / (n - 1));
  }();
  const Eigen::MatrixXd inv = cov.inverse();
  double max_r2 = 0;
  for (int i = 0; i < n; ++i) {
    const Eigen::VectorXd x = points.row(i).transpose() - e.center();
    max_r2 = std::max(max_r2, x.dot(inv * x));
  }
  CHECK(max_r2 > 0);
  // Its volume is the unit ball's times sqrt(det(cov * max_r2)).
  CHECK(e.log_volume() == Approx(parnest::detail::Ellipsoid::log_unit_ball_volume(d) +
                                 0.5 * std::log((cov * max_r2).determinant())));
  // Samples fall inside, and their mean squared radius is d / (d + 2) of the boundary's.
  double mean_r2 = 0;
  const int m = 20000;
  std::vector<double> x(d);
  for (int i = 0; i < m; ++i) {
    e.sample(rng, x);
    const Eigen::VectorXd v = Eigen::Map<Eigen::VectorXd>(x.data(), d) - e.center();
    const double r2 = v.dot(inv * v) / max_r2;
    REQUIRE(r2 <= 1.0 + 1e-9);
    mean_r2 += r2 / m;
  }
  CHECK(mean_r2 == Approx(double(d) / (d + 2)).margin(0.01));
}

TEST_CASE("enlarging multiplies the volume", "[ellipsoid]") {
  parnest::RowMatrix points(50, 2);
  parnest::RandomStream rng(2, parnest::StreamPurpose::user, 0, 0);
  for (int i = 0; i < 50; ++i) points.row(i) << rng.uniform(), rng.uniform();
  CHECK(parnest::detail::Ellipsoid::bounding(points, 2.0).log_volume() ==
        Approx(parnest::detail::Ellipsoid::bounding(points, 1.0).log_volume() + std::log(2.0)));
}
