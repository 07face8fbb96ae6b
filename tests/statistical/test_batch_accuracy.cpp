// Accuracy of the batch backend against known evidences, over several fixed seeds
// (support/accuracy.hpp says what is checked), on the problems of the issue that asked for it.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "accuracy.hpp"

namespace {
void check_accuracy(const parnest::reference::Problem& problem,
                    const parnest::Batch::Options& options, int n_seeds, double moment_tolerance) {
  parnest::testing::check_accuracy<parnest::Batch>(problem, options, n_seeds, moment_tolerance);
}

// Seeds 2001-2006, which no tuning looked at: no run of `problem` beyond 4 errors. `label`
// names the runs in the printed lines.
void check_held_out_pulls(const parnest::reference::Problem& problem,
                          const parnest::Batch::Options& options, const char* label) {
  parnest::Sampler<parnest::Batch> sampler(problem.model, options);
  for (std::uint64_t seed = 2001; seed <= 2006; ++seed) {
    const parnest::Result r = sampler.run({.seed = seed, .progress = false});
    const double pull = (r.log_z - problem.log_z) / r.log_z_err;
    std::printf("batch      %-16s seed %llu: pull %+.2f, %zu calls\n", label,
                static_cast<unsigned long long>(seed), pull, r.n_like);
    CAPTURE(seed, r.log_z, r.log_z_err, problem.log_z);
    CHECK(std::abs(pull) < 4);
  }
}
}  // namespace

TEST_CASE("batch: 2-D Gaussian within 3 errors over 6 seeds", "[statistical][batch]") {
  check_accuracy(parnest::reference::gaussian(2), {}, 6, 0.01);
}

TEST_CASE("batch: 10-D Gaussian within 3 errors over 6 seeds", "[statistical][batch]") {
  check_accuracy(parnest::reference::gaussian(10), {}, 6, 0.01);
}

TEST_CASE("batch: 30-D Gaussian within 3 errors over 8 seeds", "[statistical][batch][slow]") {
  // 8 seeds, not 4: the first 4 happened to fall within 0.0007 of the truth with errors of
  // 0.002, a scatter too small to judge the error by; over 8 the ratio was 1.8.
  check_accuracy(parnest::reference::gaussian(30), {}, 8, 0.01);
}

TEST_CASE("batch: 2-D Gaussian shells within 3 errors over 6 seeds", "[statistical][batch]") {
  check_accuracy(parnest::reference::gaussian_shells(), {}, 6, 0.2);
}

TEST_CASE("batch: 2-D eggbox within 3 errors over 6 seeds", "[statistical][batch]") {
  check_accuracy(parnest::reference::eggbox(), {}, 6, 1.0);
}

TEST_CASE("batch: 2-D Rosenbrock within 3 errors over 6 seeds", "[statistical][batch]") {
  check_accuracy(parnest::reference::rosenbrock(), {}, 6, 0.0);
}

TEST_CASE("batch: Neal's funnel in 10-D, no run beyond 4 errors over 6 seeds",
          "[statistical][batch][slow]") {
  // The exploration must follow the neck to its tip (BatchRun::climb_rate). Ending on f_live
  // alone, seeds 1001-1020 gave pulls down to -5.82 (rms 2.87); with the climb rule -3.02
  // (rms 1.56). Seeds 2001-2006, which no tuning looked at (the rule was chosen on seeds 1-6);
  // the bound is the calibration's for a single run (docs/calibration.md). Before the rule
  // these seeds gave -3.64, -1.04, -4.19, +0.05, -2.57, -1.10; now -1.29, -0.96, -3.15, +1.34,
  // -0.50, +0.60, so the 3 errors per seed is not met on seed 2003 (docs/batch.md).
  check_held_out_pulls(parnest::reference::funnel(), {}, "funnel-10");
}

TEST_CASE("batch: 16-D correlated Gaussian within 3 errors over 4 seeds",
          "[statistical][batch][slow]") {
  check_accuracy(parnest::reference::correlated_gaussian(), {}, 4, 0.01);
}

TEST_CASE("batch: with the neural emulator, 2-D Rosenbrock within 3 errors over 4 seeds",
          "[statistical][batch][neural]") {
  check_accuracy(parnest::reference::rosenbrock(), {.networks = 4}, 4, 0.0);
}

TEST_CASE("batch: with the neural emulator, 2-D Gaussian shells, no run beyond 4 errors",
          "[statistical][batch][neural]") {
  // Networks per ellipsoid on thin rings. A tighter cut than the lowest score of the points
  // above the threshold left bounds with no volume on 4 of seeds 1001-1020 (docs/batch.md).
  // Seeds 2001-2006 were not looked at before this bound was set.
  check_held_out_pulls(parnest::reference::gaussian_shells(), {.networks = 4}, "shells-2 (nets)");
}

TEST_CASE("batch: discarding the exploration, 10-D Gaussian within 3 errors over 4 seeds",
          "[statistical][batch]") {
  check_accuracy(parnest::reference::gaussian(10), {.discard_exploration = true}, 4, 0.01);
}

TEST_CASE(
    "batch: a likelihood with a plateau under half its evidence, within 3 errors over 6 seeds",
    "[statistical][batch]") {
  // Constant on 93.5 % of the prior. Every point counts with its proposal density and a bound
  // holds the points strictly above its threshold, so ties need no rule of their own here.
  check_accuracy(parnest::reference::plateau(), {}, 6, 0.02);
}
