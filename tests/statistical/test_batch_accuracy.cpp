// Accuracy of the batch backend against known evidences, over several fixed seeds
// (support/accuracy.hpp says what is checked), on the problems of the issue that asked for it.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include "accuracy.hpp"

namespace {
void check_accuracy(const parnest::reference::Problem& problem,
                    const parnest::Batch::Options& options, int n_seeds, double moment_tolerance) {
  parnest::testing::check_accuracy<parnest::Batch>(problem, options, n_seeds, moment_tolerance);
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

TEST_CASE("batch: 16-D correlated Gaussian within 3 errors over 4 seeds",
          "[statistical][batch][slow]") {
  check_accuracy(parnest::reference::correlated_gaussian(), {}, 4, 0.01);
}

TEST_CASE("batch: with the neural emulator, 2-D Rosenbrock within 3 errors over 4 seeds",
          "[statistical][batch][neural]") {
  check_accuracy(parnest::reference::rosenbrock(), {.networks = 4}, 4, 0.0);
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
