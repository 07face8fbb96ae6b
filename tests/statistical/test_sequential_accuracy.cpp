// Accuracy of the sequential backend against known evidences, over several fixed seeds
// (support/accuracy.hpp says what is checked).
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include "accuracy.hpp"

namespace {
void check_accuracy(const parnest::reference::Problem& problem,
                    const parnest::Sequential::Options& options, int n_seeds,
                    double moment_tolerance) {
  parnest::testing::check_accuracy<parnest::Sequential>(problem, options, n_seeds,
                                                        moment_tolerance);
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

TEST_CASE(
    "sequential: a likelihood with a plateau under half its evidence, within 3 errors over 6 seeds",
    "[statistical][sequential]") {
  // Constant on 93.5 % of the prior: the tied points must leave together (Fowlie, Handley &
  // Su 2020), or log Z comes out about 1.2 high.
  check_accuracy(parnest::reference::plateau(), {.n_live = 500}, 6, 0.02);
}
