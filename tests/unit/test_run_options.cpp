// What the core owns for every backend: the call and time budget, a stop a program can
// trigger, and the logger that hears everything a run says.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <filesystem>
#include <stop_token>
#include <string>

#include "identical.hpp"
#include "problems.hpp"
#include "recording_logger.hpp"
#include "scratch.hpp"

using Catch::Matchers::Contains;
using parnest::testing::RecordingLogger;
using parnest::testing::require_identical;
using parnest::testing::scratch;

namespace {

template <class B>
typename B::Options small();
template <>
parnest::Sequential::Options small<parnest::Sequential>() {
  return {.n_live = 100, .n_replace = 4};
}
template <>
parnest::Batch::Options small<parnest::Batch>() {
  return {.n_live = 200, .n_batch = 50, .n_eff = 2000};
}
template <>
parnest::Smc::Options small<parnest::Smc>() {
  return {.n_eff_per_step = 256, .n_active = 128, .n_eff = 1024};
}

// A serial run of gauss-2 never stopped, and a checkpoint path in a fresh directory for the
// same run stopped on the way; `resumed` finishes it from there.
template <class B>
struct StoppedRun {
  StoppedRun(const std::string& name, std::uint64_t run_seed)
      : seed(run_seed),
        dir(scratch(name + "-" + B::name)),
        checkpoint((dir / "run.ckpt").string()),
        whole(sampler.run({.ncores = 1, .seed = seed, .progress = false})) {}
  ~StoppedRun() { std::filesystem::remove_all(dir); }
  parnest::Result resumed(std::shared_ptr<parnest::Logger> logger = {}) {
    return sampler.run(
        {.ncores = 1, .seed = seed, .checkpoint = checkpoint, .progress = false, .logger = logger});
  }

  std::uint64_t seed;
  parnest::Sampler<B> sampler{parnest::reference::gaussian(2).model, small<B>()};
  std::filesystem::path dir;
  std::string checkpoint;
  parnest::Result whole;
};

// A run cut by max_calls says so in one wording, keeps the state before the cut in its
// checkpoint, and a run without the budget goes on from there to the uninterrupted result.
template <class B>
void budget_then_resume(std::uint64_t seed) {
  StoppedRun<B> run("budget", seed);
  const std::size_t budget = run.whole.n_like / 2;
  auto logger = std::make_shared<RecordingLogger>();
  const parnest::Result cut = run.sampler.run({.ncores = 1,
                                               .seed = seed,
                                               .checkpoint = run.checkpoint,
                                               .progress = false,
                                               .max_calls = budget,
                                               .logger = logger});
  CHECK(cut.n_like >= budget);
  CHECK(cut.n_like < run.whole.n_like);
  REQUIRE(!cut.warnings.empty());
  const std::string& warning = cut.warnings.back();
  CHECK_THAT(
      warning,
      Contains("stopped at max_calls = " + std::to_string(budget) + " after " +
               std::to_string(cut.n_like) + " likelihood calls, before the run's own end: ") &&
          Contains("checkpoint " + run.checkpoint +
                   " holds the run before this stop: run again with a larger budget to go on"));
  CHECK_THAT(logger->text(), Contains("warning: " + warning));
  auto resumed_log = std::make_shared<RecordingLogger>();
  require_identical(run.whole, run.resumed(resumed_log));
  REQUIRE(!resumed_log->lines.empty());
  CHECK_THAT(resumed_log->lines[0],
             Contains("note: resumed from checkpoint " + run.checkpoint + " after iteration ") &&
                 Contains(" and " + std::to_string(cut.n_like) + " likelihood calls"));
}

// RunOptions::stop, triggered from on_progress, stops the run like SIGTERM: checkpoint,
// Interrupted with signal 0, and a resumed run equals the uninterrupted one.
template <class B>
void stop_then_resume(std::uint64_t seed) {
  StoppedRun<B> run("stop", seed);
  std::stop_source source;
  int updates = 0;
  try {
    (void)run.sampler.run({.ncores = 1,
                           .seed = seed,
                           .checkpoint = run.checkpoint,
                           .progress = false,
                           .progress_every = 1e-9,
                           .on_progress =
                               [&](const parnest::Progress&) {
                                 if (++updates == 3) source.request_stop();
                               },
                           .stop = source.get_token()});
    FAIL("the run was not stopped");
  } catch (const parnest::Interrupted& e) {
    CHECK(e.signal() == 0);
    CHECK_THAT(std::string(e.what()),
               Contains("interrupted by a stop request (RunOptions::stop) after iteration ") &&
                   Contains("checkpoint written to " + run.checkpoint));
  }
  require_identical(run.whole, run.resumed());
}

}  // namespace

TEST_CASE("max_calls ends every backend's run with one wording; a larger budget goes on",
          "[options][checkpoint]") {
  budget_then_resume<parnest::Sequential>(3);
  budget_then_resume<parnest::Batch>(3);
  budget_then_resume<parnest::Smc>(3);
}

TEST_CASE("RunOptions::stop ends every backend's run like a signal; the resumed run is identical",
          "[options][checkpoint]") {
  stop_then_resume<parnest::Sequential>(4);
  stop_then_resume<parnest::Batch>(4);
  stop_then_resume<parnest::Smc>(4);
}

TEST_CASE("max_seconds ends a run after the batch that used it up, and must be >= 0", "[options]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small<parnest::Sequential>());
  const parnest::Result r = sampler.run({.ncores = 1, .progress = false, .max_seconds = 1e-9});
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Contains("stopped at max_seconds = 1e-09 after ") &&
                                Contains("likelihood calls, before the run's own end: before any "
                                         "live point was replaced"));
  CHECK(r.n_like == 100);  // the first step draws the live points
  CHECK_THROWS_WITH(sampler.run({.max_seconds = -1}),
                    Contains("max_seconds must be a finite number >= 0"));
}

TEST_CASE("a logger hears the status and the warnings, on the root process", "[options]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Batch> sampler(problem.model, small<parnest::Batch>());
  auto logger = std::make_shared<RecordingLogger>();
  const parnest::Result r =
      sampler.run({.ncores = 1, .progress_every = 1e-9, .max_calls = 1000, .logger = logger});
  REQUIRE(logger->statuses.size() >= 2);
  CHECK(logger->statuses.back().finished);
  CHECK(logger->statuses.back().sampler == "batch");
  CHECK(logger->statuses.back().n_like == r.n_like);
  REQUIRE(logger->lines.size() == 1);
  CHECK(logger->lines[0] == "warning: " + r.warnings[0]);

  // With progress = false the logger hears the warnings only.
  auto quiet = std::make_shared<RecordingLogger>();
  (void)sampler.run(
      {.ncores = 1, .progress = false, .progress_every = 1e-9, .max_calls = 1000, .logger = quiet});
  CHECK(quiet->statuses.empty());
  CHECK(quiet->lines == logger->lines);
}

TEST_CASE("the pool's session decides which process speaks for the run", "[options][checkpoint]") {
  // A pool in this process that, like a rank other than 0 of a launcher's job, does not speak:
  // the run goes on alike, but writes no checkpoint and tells the logger nothing.
  struct Silent : parnest::Pool {
    parnest::SerialPool serial;
    std::size_t size() const noexcept override { return 1; }
    void map(const parnest::Task& task, const parnest::RowMatrix& in,
             parnest::RowMatrix& out) override {
      serial.map(task, in, out);
    }
    std::string describe() const override { return "silent"; }
    parnest::Result session(const parnest::RunSession& run) override { return run.lead(false); }
  };
  const auto dir = scratch("silent");
  const std::string checkpoint = (dir / "run.ckpt").string();
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model,
                                                small<parnest::Sequential>());
  const parnest::Result spoken = sampler.run({.ncores = 1, .seed = 2, .progress = false});
  Silent pool;
  auto logger = std::make_shared<RecordingLogger>();
  const parnest::Result silent = sampler.run({.pool = pool,
                                              .seed = 2,
                                              .checkpoint = checkpoint,
                                              .progress_every = 1e-9,
                                              .max_calls = 1000,
                                              .logger = logger});
  CHECK(silent.n_like < spoken.n_like);
  CHECK(silent.warnings.size() == 1);  // in the result, but not told
  CHECK(logger->lines.empty());
  CHECK(logger->statuses.empty());
  CHECK(!std::filesystem::exists(checkpoint));
  std::filesystem::remove_all(dir);
}
