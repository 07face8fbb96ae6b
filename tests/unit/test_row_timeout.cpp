// RunOptions::row_timeout: a likelihood call that runs too long is killed and re-run on worker
// processes, and named in a warning in this process; either way the result is the one of a
// run without the slow call, bit for bit.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <chrono>
#include <thread>

#include "identical.hpp"
#include "problems.hpp"
#include "recording_logger.hpp"
#include "scratch.hpp"

using Catch::Matchers::Contains;
using parnest::testing::first_time;
using parnest::testing::require_identical;
using parnest::testing::scratch;

namespace {
// The reference Gaussian whose likelihood stalls `seconds` once, at the first point with
// x0 > 0.55 and x1 > 0.55 (the marker file tells the first time apart, across processes).
parnest::Model stalls_once(const parnest::Model& model, const std::string& marker, double seconds) {
  parnest::Model slow = model;
  slow.log_likelihood = [model, marker, seconds](std::span<const double> theta) {
    if (theta[0] > 0.55 && theta[1] > 0.55 && first_time(marker))
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    return model.log_likelihood(theta);
  };
  return slow;
}

const parnest::Sequential::Options options{.n_live = 100, .n_replace = 4};

// The serial run of the unchanged model: what every run with a slow call must equal.
parnest::Result undisturbed(const parnest::Model& model) {
  return parnest::Sampler<parnest::Sequential>(model, options)
      .run({.ncores = 1, .seed = 4, .progress = false});
}
}  // namespace

TEST_CASE("a call past row_timeout in this process is named in a warning and the result",
          "[timeout]") {
  const auto dir = scratch("row-timeout-threads");
  const auto problem = parnest::reference::gaussian(2);
  const auto reference = undisturbed(problem.model);
  parnest::Sampler<parnest::Sequential> sampler(
      stalls_once(problem.model, (dir / "stalled").string(), 0.7), options);
  auto logger = std::make_shared<parnest::testing::RecordingLogger>();
  const parnest::Result result = sampler.run(
      {.ncores = 2, .seed = 4, .progress = false, .row_timeout = 0.2, .logger = logger});
  require_identical(reference, result);
  const std::string printed = logger->text();
  CHECK_THAT(printed, Contains("warning: a likelihood call has run for ") &&
                          Contains("(row_timeout = 0.2 s per point) at x0 = ") &&
                          Contains("it may hang there"));
  REQUIRE(result.warnings.size() == 1);
  CHECK_THAT(result.warnings[0],
             Contains("1 likelihood call ran longer than row_timeout = 0.2 s per point; the "
                      "longest ") &&
                 Contains(" s or more, at x0 = "));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a call past row_timeout on worker processes is killed and re-run, same result",
          "[timeout][process]") {
  const auto dir = scratch("row-timeout-processes");
  const auto problem = parnest::reference::gaussian(2);
  const auto reference = undisturbed(problem.model);
  parnest::Model fragile = stalls_once(problem.model, (dir / "stalled").string(), 3600.0);
  fragile.thread_safe = false;
  parnest::Sampler<parnest::Sequential> sampler(fragile, options);
  const auto result = sampler.run({.ncores = 2, .seed = 4, .progress = false, .row_timeout = 0.2});
  require_identical(reference, result);
  REQUIRE(result.warnings.size() == 1);
  CHECK_THAT(result.warnings[0], Contains("ran longer than row_timeout = 0.2 s per row and was "
                                          "killed while running row"));
  CHECK_THAT(result.pool, Contains("processes"));
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .row_timeout = -2}),
                    Contains("row_timeout must be a finite number >= 0"));
  std::filesystem::remove_all(dir);
}
