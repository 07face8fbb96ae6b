// Calibration of each backend's reported error, pooled over the cheap problems of the suite:
// seeds 2001-2010, which no tuning and no other measurement looked at (the defaults were tuned
// on seeds 1-20, docs/calibration.md measured 1001-1020, and these sets and bounds were fixed
// before the first run on them). 10 seeds of 5-9 problems give 50-90 pulls, whose rms is known
// to 8-10 %. Problems a backend's page lists as a limit are left out (docs/calibration.md).
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "problems.hpp"

namespace {

template <class Backend>
void check_pooled_pulls(const std::vector<parnest::reference::Problem>& problems,
                        const typename Backend::Options& options) {
  std::vector<double> pulls;
  for (const auto& problem : problems) {
    parnest::Sampler<Backend> sampler(problem.model, options);
    for (std::uint64_t seed = 2001; seed <= 2010; ++seed) {
      const parnest::Result r = sampler.run({.ncores = 1, .seed = seed, .progress = false});
      const double pull = (r.log_z - problem.log_z) / r.log_z_err;
      std::printf("%-10s %-16s seed %llu: pull %+.2f\n", Backend::name, problem.name.c_str(),
                  static_cast<unsigned long long>(seed), pull);
      CAPTURE(problem.name, seed, r.log_z, r.log_z_err, problem.log_z);
      CHECK(std::abs(pull) < 4);
      pulls.push_back(pull);
    }
  }
  const auto n = static_cast<double>(pulls.size());
  double sum = 0, sum2 = 0;
  for (double p : pulls) {
    sum += p;
    sum2 += p * p;
  }
  const double rms = std::sqrt(sum2 / n), mean = sum / n;
  const double se = std::sqrt((sum2 / n - mean * mean) / (n - 1));
  std::printf("%-10s pooled over %zu runs: rms pull %.3f, mean pull %+.3f +- %.3f\n", Backend::name,
              pulls.size(), rms, mean, se);
  // Honest errors give an rms of 1; the bounds for one problem, tighter ones pooled
  // would fail a correct sampler too often at this many runs.
  CHECK(rms > 0.75);
  CHECK(rms < 1.3);
  CHECK(std::abs(mean) < 3 * se);
}

namespace ref = parnest::reference;

}  // namespace

TEST_CASE("calibration: batch's pulls over eight 2-4-D problems have an rms near 1",
          "[statistical][batch][calibration]") {
  // Not the eggbox: its errors are too small (docs/batch.md, Known limits).
  check_pooled_pulls<parnest::Batch>(
      {ref::gaussian(2), ref::offset_gaussian(2), ref::gaussian_shells(), ref::rosenbrock(),
       ref::loggamma(2), ref::mixture2(), ref::plateau(), ref::bimodal()},
      {});
}

TEST_CASE("calibration: sequential's pulls over nine 2-4-D problems have an rms near 1",
          "[statistical][sequential][calibration]") {
  check_pooled_pulls<parnest::Sequential>(
      {ref::gaussian(2), ref::offset_gaussian(2), ref::gaussian_shells(), ref::eggbox(),
       ref::rosenbrock(), ref::loggamma(2), ref::mixture2(), ref::plateau(), ref::bimodal()},
      {});
}

TEST_CASE("calibration: smc's pulls over five 2-4-D problems have an rms near 1",
          "[statistical][smc][calibration]") {
  // Not the eggbox or the mixtures of unequal widths (docs/smc.md, Known limits). The shells
  // and LogGamma-2 pass too but take half of Smc's calls here (5 minutes in all), so CI leaves
  // them to the calibration program: with them, seeds 2001-2010 gave an rms of 1.057 over 70
  // runs, and without them 0.968 over 50.
  check_pooled_pulls<parnest::Smc>({ref::gaussian(2), ref::offset_gaussian(2), ref::rosenbrock(),
                                    ref::plateau(), ref::bimodal()},
                                   {});
}
