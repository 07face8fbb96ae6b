// Each backend's evidence estimator alone, against a direct sum and a closed-form evidence:
// Batch's mixture estimator, Smc's persistent estimator and preconditioner, and Sequential's
// shrinkage simulation.
#include <catch2/catch.hpp>

#include <parnest/detail/log_sum.hpp>
#include <parnest/detail/mixture_estimator.hpp>
#include <parnest/detail/persistent_estimator.hpp>
#include <parnest/detail/preconditioner.hpp>
#include <parnest/detail/shrinkage.hpp>
#include <parnest/rng.hpp>

#include <cmath>
#include <numbers>
#include <vector>

using Catch::Matchers::WithinAbs;
using parnest::RandomStream;
using parnest::StreamPurpose;

namespace {
// Three nested intervals of [0, 1] as the bounds, and a narrow Gaussian likelihood inside the
// smallest: the situation of Batch's later bounds around a peak.
struct Interval {
  double low, high;
  bool contains(double x) const { return x >= low && x <= high; }
  double log_volume() const { return std::log(high - low); }
};
constexpr double peak = 0.45, width = 0.05;
double log_l(double x) {
  return -0.5 * (x - peak) * (x - peak) / (width * width);
}
// Z = integral over [0, 1] of L.
double exact_log_z() {
  const double s = width * std::sqrt(2.0);
  return std::log(width * std::sqrt(std::numbers::pi / 2.0) *
                  (std::erf((1.0 - peak) / s) + std::erf(peak / s)));
}
}  // namespace

TEST_CASE("the mixture estimator equals a direct sum over points and finds Z", "[estimators]") {
  using parnest::detail::MixtureEstimator;
  const std::vector<Interval> bounds = {{0.0, 1.0}, {0.2, 0.7}, {0.35, 0.55}};
  const std::vector<double> drawn = {1000, 2000, 3000};
  MixtureEstimator estimator;
  std::vector<double> x, l;
  std::vector<std::uint32_t> pattern;
  RandomStream rng(5, StreamPurpose::user, 0, 0);
  for (std::size_t k = 0; k < bounds.size(); ++k) {
    estimator.add_bound();
    estimator.add_draws(k, drawn[k]);
    for (int j = 0; j < drawn[k]; ++j) {
      const double u = bounds[k].low + (bounds[k].high - bounds[k].low) * rng.uniform();
      MixtureEstimator::Bits bits(1, 0);
      for (std::size_t b = 0; b < bounds.size(); ++b)
        if (bounds[b].contains(u)) bits[0] |= std::uint64_t{1} << b;
      x.push_back(u);
      l.push_back(log_l(u));
      pattern.push_back(estimator.pattern_of(bits));
      estimator.count(pattern.back(), l.back());
    }
  }
  std::vector<double> log_v;
  for (const auto& b : bounds) log_v.push_back(b.log_volume());
  estimator.refresh(log_v);
  CHECK(estimator.pattern_count() == 3);  // in the cube only, in two, in all three

  // Directly: Z = sum_i L_i / D_i, D_i = sum_k N_k 1[x_i in B_k] / V_k.
  double z = 0.0, z2 = 0.0;
  std::vector<double> g(bounds.size(), 0.0);  // sum over B_k of L^2 / D^3
  for (std::size_t i = 0; i < x.size(); ++i) {
    double d = 0.0;
    for (std::size_t k = 0; k < bounds.size(); ++k)
      if (bounds[k].contains(x[i])) d += drawn[k] / (bounds[k].high - bounds[k].low);
    CHECK_THAT(estimator.log_d(pattern[i]), WithinAbs(std::log(d), 1e-12));
    const double w = std::exp(l[i]) / d;
    z += w;
    z2 += w * w;
    for (std::size_t k = 0; k < bounds.size(); ++k)
      if (bounds[k].contains(x[i])) g[k] += w * w / d;
  }
  CHECK_THAT(estimator.log_z(), WithinAbs(std::log(z), 1e-12));
  CHECK_THAT(estimator.effective_size(), WithinAbs(z * z / z2, 1e-8 * z * z / z2));
  std::size_t best = 0;
  for (std::size_t k = 1; k < bounds.size(); ++k)
    if (g[k] / (bounds[k].high - bounds[k].low) > g[best] / (bounds[best].high - bounds[best].low))
      best = k;
  CHECK(estimator.most_useful_bound(log_v) == best);

  // Unbiased for Z, within 4 of its relative standard error 1 / sqrt(ESS).
  CHECK_THAT(estimator.log_z(),
             WithinAbs(exact_log_z(), 4.0 / std::sqrt(estimator.effective_size())));

  SECTION("counting afresh keeps the patterns and empties the sums") {
    estimator.reset_counts();
    CHECK(estimator.pattern_count() == 3);
    estimator.refresh(log_v);
    CHECK(estimator.log_z() == -std::numeric_limits<double>::infinity());
    CHECK(estimator.effective_size() == 0.0);
  }
}

TEST_CASE("the persistent estimator equals a direct sum and finds tempered evidences",
          "[estimators]") {
  // Prior N(0, 1), L = exp(-x^2 / (2 s2)): prior L^beta is a Gaussian of precision 1 + beta / s2
  // that can be drawn exactly, and Z_beta = (1 + beta / s2)^(-1/2).
  using parnest::detail::PersistentEstimator;
  constexpr double s2 = 0.05;
  auto exact = [&](double beta) { return -0.5 * std::log(1.0 + beta / s2); };
  RandomStream rng(11, StreamPurpose::user, 0, 0);
  auto draw = [&](double beta, Eigen::Index n) {
    Eigen::VectorXd l(n);
    const double sd = 1.0 / std::sqrt(1.0 + beta / s2);
    for (Eigen::Index j = 0; j < n; ++j) {
      const double x = sd * rng.normal();
      l[j] = -0.5 * x * x / s2;
    }
    return l;
  };
  PersistentEstimator estimator;
  std::vector<double> betas = {0.0}, log_zs = {0.0};
  std::vector<Eigen::VectorXd> sets = {draw(0.0, 1000)};
  estimator.add_set(sets[0], 0.0, 0.0);
  while (estimator.last_beta() < 1.0) {
    const double beta = estimator.next_beta(500.0);
    CHECK(beta > estimator.last_beta());
    if (beta < 1.0) CHECK_THAT(estimator.effective_size(beta), WithinAbs(500.0, 5.0));
    const double log_z = parnest::detail::log_sum_exp(estimator.log_weights(beta));
    CHECK_THAT(log_z, WithinAbs(exact(beta), 0.15));
    sets.push_back(draw(beta, 400));
    betas.push_back(beta);
    log_zs.push_back(log_z);
    estimator.add_set(sets.back(), beta, log_z);
  }
  CHECK(estimator.sets() == sets.size());

  // Directly: D_i = sum_s n_s L_i^beta_s / Z_s, w_i = L_i^beta / D_i.
  const Eigen::VectorXd log_w = estimator.log_weights(1.0);
  Eigen::Index i = 0;
  double sum = 0.0, sum2 = 0.0;
  for (const Eigen::VectorXd& set : sets)
    for (Eigen::Index j = 0; j < set.size(); ++j, ++i) {
      double d = 0.0;
      for (std::size_t s = 0; s < sets.size(); ++s)
        d += static_cast<double>(sets[s].size()) *
             std::exp(PersistentEstimator::tempered(betas[s], set[j]) - log_zs[s]);
      CHECK_THAT(log_w[i], WithinAbs(set[j] - std::log(d), 1e-9));
      sum += std::exp(log_w[i]);
      sum2 += std::exp(2 * log_w[i]);
    }
  CHECK_THAT(estimator.effective_size(1.0), WithinAbs(sum * sum / sum2, 1e-6 * sum * sum / sum2));

  const double log_z = parnest::detail::log_sum_exp(log_w);
  const double error = estimator.bootstrap_error(3);
  CHECK(error > 0.0);
  CHECK(error < 0.1);
  CHECK_THAT(log_z, WithinAbs(exact(1.0), 4.0 * error));
}

TEST_CASE(
    "the shrinkage simulation gives no spread for a flat likelihood and about H / n "
    "for a peaked one",
    "[estimators]") {
  constexpr std::uint32_t n = 100;
  // A synthetic run at the expected volumes X_i = exp(-i / n), then the n final live points.
  auto run = [&](auto log_l_of_x, std::vector<double>& log_l, std::vector<std::uint32_t>& counts) {
    const std::size_t main = 25 * n;
    for (std::size_t i = 1; i <= main; ++i) {
      log_l.push_back(log_l_of_x(std::exp(-static_cast<double>(i) / n)));
      counts.push_back(n);
    }
    for (std::uint32_t j = 0; j < n; ++j) {
      log_l.push_back(log_l_of_x(std::exp(-static_cast<double>(main + j) / n)));
      counts.push_back(n - j);
    }
  };
  std::vector<double> flat;
  std::vector<std::uint32_t> flat_counts;
  run([](double) { return -2.0; }, flat, flat_counts);
  // Z = x0 (1 - prod t), and prod t < exp(-25) here: log Z = log x0 - 2 in every realisation.
  CHECK(parnest::detail::shrinkage_log_z_variance(flat, flat_counts, 0.5, 1) < 1e-20);

  // L = exp(-a X) (a 2-D Gaussian peak in a unit prior): Z = (1 - exp(-a)) / a, and the
  // information H = log a - 1 in nats; the variance of log Z is about H / n.
  constexpr double a = 2000.0;
  std::vector<double> peaked;
  std::vector<std::uint32_t> peaked_counts;
  run([&](double x) { return -a * x; }, peaked, peaked_counts);
  const double h = std::log(a) - 1.0;
  for (std::uint64_t seed : {1, 2, 3}) {
    const double variance =
        parnest::detail::shrinkage_log_z_variance(peaked, peaked_counts, 1.0, seed);
    CHECK(variance / (h / n) > 0.6);
    CHECK(variance / (h / n) < 1.5);
  }
}

TEST_CASE("the preconditioner whitens a Gaussian, inverts itself and survives a checkpoint",
          "[estimators][smc]") {
  using parnest::RowMatrix;
  using parnest::detail::Preconditioner;
  // Draws from N(mu, L L^T) in 3-D, equally weighted.
  constexpr Eigen::Index n = 4000, d = 3;
  Eigen::Matrix3d lower;
  lower << 2.0, 0.0, 0.0, 0.9, 0.5, 0.0, -0.3, 0.2, 0.1;
  const Eigen::Vector3d mu(1.0, -2.0, 0.5);
  RandomStream rng(21, StreamPurpose::user, 0, 0);
  RowMatrix z(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    Eigen::Vector3d e(rng.normal(), rng.normal(), rng.normal());
    z.row(i) = (mu + lower * e).transpose();
  }
  const Eigen::VectorXd p = Eigen::VectorXd::Constant(n, 1.0 / n);
  for (const bool flow : {false, true}) {
    Preconditioner c;
    c.fit(z, p, {.min_training = 256, .max_training = 2000, .flow = flow, .seed = 3, .batch = 1});
    CHECK(c.dimension() == d);
    CHECK(c.pcn().dimension() == static_cast<std::size_t>(d));
    // |dz / d(whitened)| = |det L| of the sample covariance.
    CHECK_THAT(c.log_det_lower(), WithinAbs(lower.diagonal().array().log().sum(), 0.05));
    RowMatrix eta, back;
    Eigen::VectorXd log_j_to, log_j_from;
    c.to_latent(z, eta, log_j_to);
    c.from_latent(eta, back, log_j_from);
    CHECK((back - z).cwiseAbs().maxCoeff() < 1e-9);
    CHECK((log_j_to - log_j_from).cwiseAbs().maxCoeff() < 1e-9);
    if (!flow) {  // whitened exactly: mean 0 and unit covariance
      const Eigen::VectorXd mean = eta.colwise().mean();
      const RowMatrix centred = eta.rowwise() - mean.transpose();
      const Eigen::MatrixXd covariance = centred.transpose() * centred / n;
      CHECK(mean.cwiseAbs().maxCoeff() < 1e-9);
      CHECK((covariance - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().maxCoeff() < 1e-9);
      CHECK(log_j_to.cwiseAbs().maxCoeff() == 0.0);
    }
    // Written and read back, it maps every point to the same bits.
    std::vector<double> flat;
    parnest::detail::FlatWriter out(flat);
    out.object(c);
    parnest::detail::FlatReader in(flat, "the preconditioner");
    const auto loaded = in.read<Preconditioner>();
    in.expect_end();
    RowMatrix eta_loaded;
    Eigen::VectorXd log_j_loaded;
    loaded.to_latent(z, eta_loaded, log_j_loaded);
    CHECK(eta_loaded == eta);
    CHECK(log_j_loaded == log_j_to);
  }
}
