// Accuracy of the sequential backend against known evidences, over several fixed seeds:
// every run within 3 reported errors of the truth, reported errors neither tiny nor huge
// compared with the scatter across seeds, and posterior moments right.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>

#include "problems.hpp"

namespace {
void check_accuracy(const parnest::reference::Problem& problem,
                    parnest::Sequential::Options options, int n_seeds, double moment_tolerance) {
  parnest::Sampler<parnest::Sequential> sampler(problem.model, options);
  std::vector<double> log_z, err;
  for (int seed = 1; seed <= n_seeds; ++seed) {
    const parnest::Result r = sampler.run({.seed = static_cast<std::uint64_t>(seed)});
    std::printf(
        "%-16s seed %d: log Z = %9.4f +- %.4f (truth %.4f, %+.2f sigma), %zu calls, %.2f s\n",
        problem.name.c_str(), seed, r.log_z, r.log_z_err, problem.log_z,
        (r.log_z - problem.log_z) / r.log_z_err, r.n_like, r.wall_seconds);
    CAPTURE(problem.name, seed, r.log_z, r.log_z_err, problem.log_z);
    CHECK(std::abs(r.log_z - problem.log_z) < 3 * r.log_z_err);
    const Eigen::VectorXd mean = r.mean(), sd = r.stddev();
    for (std::size_t i = 0; i < problem.mean.size(); ++i)
      CHECK(mean[static_cast<Eigen::Index>(i)] == Approx(problem.mean[i]).margin(moment_tolerance));
    for (std::size_t i = 0; i < problem.sd.size(); ++i)
      CHECK(sd[static_cast<Eigen::Index>(i)] == Approx(problem.sd[i]).epsilon(0.15));
    log_z.push_back(r.log_z);
    err.push_back(r.log_z_err);
  }
  // The reported error against the actual scatter (root mean square deviation from the truth,
  // which has a known mean): within a factor of 3 either way. Below 4 seeds the scatter itself
  // is too uncertain to judge by.
  if (n_seeds < 4) return;
  double ms = 0, mean_err = 0;
  for (std::size_t i = 0; i < log_z.size(); ++i) {
    ms += std::pow(log_z[i] - problem.log_z, 2) / static_cast<double>(log_z.size());
    mean_err += err[i] / static_cast<double>(err.size());
  }
  const double rms = std::sqrt(ms);
  std::printf("%-16s rms deviation %.4f, mean reported error %.4f\n", problem.name.c_str(), rms,
              mean_err);
  CHECK(mean_err < 3 * rms);
  CHECK(mean_err > rms / 3);
}
}  // namespace

TEST_CASE("sequential: 2-D Gaussian of the README within 3 errors over 6 seeds",
          "[statistical][sequential]") {
  check_accuracy(parnest::reference::readme_gaussian(), {.n_live = 500}, 6, 0.02);
}

TEST_CASE("sequential: 2-D Gaussian in the unit square within 3 errors over 6 seeds",
          "[statistical][sequential]") {
  check_accuracy(parnest::reference::gaussian(2), {.n_live = 500}, 6, 0.02);
}

TEST_CASE("sequential: 10-D Gaussian within 3 errors over 6 seeds", "[statistical][sequential]") {
  check_accuracy(parnest::reference::gaussian(10), {.n_live = 500}, 6, 0.02);
}

TEST_CASE("sequential: 30-D Gaussian (slice sampling) within 3 errors over 4 seeds",
          "[statistical][sequential][slow]") {
  check_accuracy(parnest::reference::gaussian(30), {.n_live = 500}, 4, 0.03);
}

TEST_CASE("sequential: 2-D Gaussian shells (log Z = -1.75) within 3 errors over 6 seeds",
          "[statistical][sequential]") {
  check_accuracy(parnest::reference::gaussian_shells(), {.n_live = 500}, 6, 0.5);
}

TEST_CASE("sequential: 2-D eggbox (log Z = 235.856) within 3 errors over 6 seeds",
          "[statistical][sequential]") {
  // The mean of x over 18 modes spread across [0, 10 pi] (sd 9) has a sampling error of about
  // sd / sqrt(n_eff) = 0.25 plus the noise of the mode weights: 1.0 is about 4 of those.
  check_accuracy(parnest::reference::eggbox(), {.n_live = 500}, 6, 1.0);
}

TEST_CASE("sequential: 2-D Rosenbrock (log Z = -5.804 by quadrature) within 3 errors over 6 seeds",
          "[statistical][sequential]") {
  check_accuracy(parnest::reference::rosenbrock(), {.n_live = 500}, 6, 0.0);
}

TEST_CASE("sequential: 16-D correlated Gaussian within 3 errors over 4 seeds",
          "[statistical][sequential][slow]") {
  check_accuracy(parnest::reference::correlated_gaussian(), {.n_live = 500}, 4, 0.02);
}

TEST_CASE("sequential: every sampler and bound is accurate on the 2-D shells and 10-D Gaussian",
          "[statistical][sequential]") {
  using parnest::BoundKind;
  using parnest::Sample;
  for (const auto& [bound, sample] : {std::pair{BoundKind::none, Sample::uniform},
                                      {BoundKind::single, Sample::uniform},
                                      {BoundKind::multi, Sample::random_walk},
                                      {BoundKind::multi, Sample::slice},
                                      {BoundKind::multi, Sample::random_slice}}) {
    CAPTURE(static_cast<int>(bound), static_cast<int>(sample));
    const parnest::Sequential::Options options{.n_live = 300, .bound = bound, .sample = sample};
    check_accuracy(parnest::reference::gaussian_shells(), options, 3, 0.5);
    if (bound != BoundKind::none)
      check_accuracy(parnest::reference::gaussian(10), options, 3, 0.03);
  }
}
