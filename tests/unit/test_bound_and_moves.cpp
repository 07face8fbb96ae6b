// The multi-ellipsoid bound and the constrained moves: the bound must separate clusters and
// sample its union uniformly; each move must leave the uniform distribution inside a likelihood
// contour unchanged (otherwise nested sampling's volume bookkeeping is wrong).
#include <catch2/catch.hpp>

#include <parnest/bound/face_mirrors.hpp>
#include <parnest/bound/union.hpp>
#include <parnest/moves/random_walk.hpp>
#include <parnest/moves/slice.hpp>
#include <parnest/moves/uniform.hpp>
#include <parnest/parnest.hpp>

#include <cmath>

namespace {
parnest::RowMatrix blob(parnest::RandomStream& rng, int n, double cx, double cy, double sd) {
  parnest::RowMatrix p(n, 2);
  for (int i = 0; i < n; ++i) p.row(i) << cx + sd * rng.normal(), cy + sd * rng.normal();
  return p;
}
}  // namespace

TEST_CASE("a multi bound splits two distant clusters and holds every point", "[bound]") {
  parnest::RandomStream rng(3, parnest::StreamPurpose::user, 0, 0);
  parnest::RowMatrix points(400, 2);
  points << blob(rng, 200, 0.2, 0.3, 0.03), blob(rng, 200, 0.8, 0.6, 0.03);
  const auto multi = parnest::detail::Bound::build(points, parnest::BoundKind::multi, 1.0, rng);
  const auto single = parnest::detail::Bound::build(points, parnest::BoundKind::single, 1.0, rng);
  CHECK(multi.ellipsoids().size() >= 2);
  CHECK(single.ellipsoids().size() == 1);
  CHECK(multi.log_volume() < single.log_volume() - std::log(2.0));  // what a split must gain
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    const std::span<const double> x(points.row(i).data(), 2);
    bool inside = false;
    for (const auto& e : multi.ellipsoids()) inside = inside || e.contains(x);
    REQUIRE(inside);
  }
  CHECK(parnest::detail::Bound::build(points, parnest::BoundKind::none, 1.0, rng).is_cube());
}

namespace {
// n points uniform in the quarter disk of radius 0.05 at the corner (0, 0) of the unit square,
// with a likelihood that peaks on the corner, as the eggbox's corner modes.
parnest::RowMatrix corner_cluster(parnest::RandomStream& rng, int n, std::vector<double>& log_l) {
  parnest::RowMatrix p(n, 2);
  log_l.clear();
  for (int i = 0; i < n;) {
    const double x = 0.05 * rng.uniform(), y = 0.05 * rng.uniform();
    if (x * x + y * y > 0.05 * 0.05) continue;
    p.row(i++) << x, y;
    log_l.push_back(-(x * x + y * y));
  }
  return p;
}

// The share of the inner quarter disk, radius 0.025 (a grid over it), that `b` holds: where the
// likelihood is highest and the fewest of the cluster's points lie.
double corner_coverage(const parnest::detail::Bound& b) {
  int inside = 0, total = 0;
  for (int i = 0; i < 100; ++i)
    for (int j = 0; j < 100; ++j) {
      const double x[2] = {0.00025 * (i + 0.5), 0.00025 * (j + 0.5)};
      if (x[0] * x[0] + x[1] * x[1] > 0.025 * 0.025) continue;
      ++total;
      inside += b.contains(x) ? 1 : 0;
    }
  return static_cast<double>(inside) / total;
}
}  // namespace

TEST_CASE(
    "a small cluster whose likelihood peaks on a corner of the cube gains mirrored "
    "ellipsoids that hold the corner",
    "[bound]") {
  // Why: Batch's bounds around the eggbox's corner modes (10 or so points each) left out the
  // corner, where the likelihood is highest, and log Z came out low (docs/batch.md).
  double plain_missed = 0.0, mirrored_missed = 0.0;
  int fired = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    parnest::RandomStream rng(seed, parnest::StreamPurpose::user, 0, 0);
    std::vector<double> log_l;
    const parnest::RowMatrix points = corner_cluster(rng, 12, log_l);
    const auto plain = parnest::detail::Bound::build(points, parnest::BoundKind::multi, 1.25, rng);
    const auto mirrored = parnest::detail::with_face_mirrors(plain, points, log_l, 1.25, rng);
    fired += mirrored.ellipsoids().size() > plain.ellipsoids().size() ? 1 : 0;
    plain_missed += 1.0 - corner_coverage(plain);
    mirrored_missed += 1.0 - corner_coverage(mirrored);
  }
  INFO("mirrors on " << fired << " of 20 clusters; share of the inner quarter disk left out: "
                     << plain_missed / 20 << " plain, " << mirrored_missed / 20 << " mirrored");
  CHECK(fired >= 15);
  CHECK(mirrored_missed < plain_missed / 3);
}

TEST_CASE("a large cluster, or one peaking inside the cube, gains no mirrored ellipsoid",
          "[bound]") {
  parnest::RandomStream rng(7, parnest::StreamPurpose::user, 0, 0);
  std::vector<double> log_l;
  const parnest::RowMatrix many = corner_cluster(rng, 200, log_l);  // over 10 (d + 1) points
  const auto plain = parnest::detail::Bound::build(many, parnest::BoundKind::multi, 1.25, rng);
  CHECK(parnest::detail::with_face_mirrors(plain, many, log_l, 1.25, rng).ellipsoids().size() ==
        plain.ellipsoids().size());
  const parnest::RowMatrix inside = blob(rng, 20, 0.5, 0.5, 0.03);
  std::vector<double> centred(20);
  for (int i = 0; i < 20; ++i)
    centred[static_cast<std::size_t>(i)] = -(inside.row(i).array() - 0.5).square().sum();
  const auto around = parnest::detail::Bound::build(inside, parnest::BoundKind::multi, 1.25, rng);
  CHECK(
      parnest::detail::with_face_mirrors(around, inside, centred, 1.25, rng).ellipsoids().size() ==
      around.ellipsoids().size());
}

TEST_CASE("a union of overlapping ellipsoids is sampled uniformly, overlap not doubled",
          "[bound]") {
  parnest::RandomStream rng(4, parnest::StreamPurpose::user, 0, 0);
  parnest::RowMatrix points(400, 2);
  points << blob(rng, 200, 0.4, 0.5, 0.06), blob(rng, 200, 0.55, 0.5, 0.06);
  // Build two overlapping ellipsoids directly from the two halves.
  const parnest::detail::Ellipsoid a = parnest::detail::Ellipsoid::bounding(points.topRows(200));
  const parnest::detail::Ellipsoid b = parnest::detail::Ellipsoid::bounding(points.bottomRows(200));
  auto in_a = [&](std::span<const double> x) { return a.contains(x); };
  auto in_b = [&](std::span<const double> x) { return b.contains(x); };
  // Reference: the fraction of the union inside both, by uniform draws from the unit cube.
  double union_hits = 0, overlap_hits = 0;
  std::vector<double> x(2);
  for (int i = 0; i < 400000; ++i) {
    x = {rng.uniform(), rng.uniform()};
    const bool ia = in_a(x), ib = in_b(x);
    union_hits += (ia || ib);
    overlap_hits += (ia && ib);
  }
  // The same fraction among draws from the union sampler.
  const parnest::detail::Bound pair = parnest::detail::Bound::around({a, b});
  double overlap = 0;
  const int m = 100000;
  for (int i = 0; i < m; ++i) {
    pair.sample(rng, x);
    overlap += (in_a(x) && in_b(x));
  }
  CHECK(overlap_hits / union_hits > 0.1);  // the test means something only with real overlap
  CHECK(overlap / m == Approx(overlap_hits / union_hits).margin(0.01));
}

TEST_CASE("every move keeps points uniform inside a likelihood contour", "[moves]") {
  // Live points uniform in a 5-D ball of radius R (log L = -r^2 above the threshold -R^2):
  // after one move each, E[r^2 / R^2] must still be d / (d + 2).
  constexpr int d = 5;
  constexpr double radius = 0.2;
  parnest::Model model;
  model.names = {"a", "b", "c", "d", "e"};
  model.prior = [](std::span<const double> u, std::span<double> t) {
    for (std::size_t i = 0; i < u.size(); ++i) t[i] = u[i];
  };
  model.log_likelihood = [](std::span<const double> x) {
    double r2 = 0;
    for (double v : x) r2 += (v - 0.5) * (v - 0.5);
    return -r2;
  };
  const parnest::detail::Problem problem(model);
  parnest::RandomStream rng(5, parnest::StreamPurpose::user, 0, 0);
  auto uniform_in_ball = [&](std::span<double> u) {
    Eigen::VectorXd z(d);
    for (int j = 0; j < d; ++j) z[j] = rng.normal();
    z *= radius * std::pow(rng.uniform_open(), 1.0 / d) / z.norm();
    for (int j = 0; j < d; ++j) u[static_cast<std::size_t>(j)] = 0.5 + z[j];
  };
  parnest::RowMatrix live(300, d);
  for (Eigen::Index i = 0; i < live.rows(); ++i) uniform_in_ball({live.row(i).data(), d});
  const auto shape = parnest::detail::Ellipsoid::bounding(live);

  for (const char* move : {"random_walk", "slice", "random_slice"}) {
    CAPTURE(move);
    double mean_r2 = 0;
    const int n = 6000;
    for (int i = 0; i < n; ++i) {
      std::vector<double> u(d), theta(d);
      uniform_in_ball(u);
      parnest::detail::moves::Point point{u, theta, problem.evaluate(u, theta)};
      parnest::detail::moves::Counts counts;
      const std::string name = move;
      if (name == "random_walk")
        parnest::detail::moves::random_walk(problem, &shape, -radius * radius, rng, 5, 0.5, point,
                                            counts);
      else
        parnest::detail::moves::slice(problem, &shape, -radius * radius, rng, 1,
                                      name == "slice"
                                          ? parnest::detail::moves::SliceDirections::axes
                                          : parnest::detail::moves::SliceDirections::random,
                                      100000, point, counts);
      REQUIRE(point.log_l > -radius * radius);
      double r2 = 0;
      for (double v : u) r2 += (v - 0.5) * (v - 0.5);
      mean_r2 += r2 / (radius * radius) / n;
    }
    // Standard error of the mean of r^2/R^2 here is about 0.0013.
    CHECK(mean_r2 == Approx(double(d) / (d + 2)).margin(0.006));
  }
}
