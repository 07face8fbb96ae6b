// Checkpoints, signals and progress: a run interrupted anywhere and resumed gives the result of
// a run never interrupted, bit for bit; bad checkpoints are refused and left alone.
#include <catch2/catch.hpp>

#include <parnest/detail/progress_line.hpp>
#include <parnest/parnest.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "identical.hpp"
#include "problems.hpp"
#include "scratch.hpp"

using Catch::Matchers::Contains;
using parnest::testing::first_time;
using parnest::testing::require_identical;
using parnest::testing::scratch;

namespace {

std::string bytes_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void overwrite(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// gauss-2 whose likelihood sends SIGTERM to `controller` at its n-th call (counted in each
// process), once per marker file: the worker processes of a ProcessPool signal the parent.
struct Interrupting {
  parnest::reference::Problem problem = parnest::reference::gaussian(2);
  std::filesystem::path dir;
  std::vector<std::size_t> at_calls;
  pid_t controller = ::getpid();
  mutable std::atomic<std::size_t> calls{0};

  parnest::Model model(bool thread_safe = true) const {
    parnest::Model m = problem.model;
    m.thread_safe = thread_safe;
    m.log_likelihood = [this](std::span<const double> theta) {
      const std::size_t n = ++calls;
      for (std::size_t at : at_calls)
        if (n == at && first_time(dir / ("signal-" + std::to_string(at))))
          ::kill(controller, SIGTERM);
      return problem.model.log_likelihood(theta);
    };
    return m;
  }
};

const parnest::Sequential::Options options{.n_live = 100, .n_replace = 4};

parnest::Result uninterrupted(std::uint64_t seed = 9) {
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model, options);
  return sampler.run({.ncores = 1, .seed = seed, .progress = false});
}

}  // namespace

TEST_CASE("a run interrupted at several points and resumed equals one never interrupted",
          "[checkpoint][signals]") {
  const parnest::Result reference = uninterrupted();
  struct Case {
    const char* name;
    int ncores;
    bool thread_safe;
  };
  for (const Case c :
       {Case{"serial", 1, true}, Case{"threads", 2, true}, Case{"processes", 2, false}}) {
    CAPTURE(c.name);
    const auto dir = scratch(c.name);
    Interrupting source{.dir = dir, .at_calls = {40, 300, 500}};
    parnest::Sampler<parnest::Sequential> sampler(source.model(c.thread_safe), options);
    const parnest::RunOptions run{.ncores = c.ncores,
                                  .seed = 9,
                                  .checkpoint = (dir / "run.ckpt").string(),
                                  .progress = false};
    std::vector<std::size_t> stopped_at;
    parnest::Result resumed;
    for (int attempt = 0;; ++attempt) {
      REQUIRE(attempt < 10);
      try {
        resumed = sampler.run(run);
        break;
      } catch (const parnest::Interrupted& e) {
        CHECK(e.signal() == SIGTERM);
        CHECK_THAT(e.what(), Contains("checkpoint written to " + run.checkpoint));
        stopped_at.push_back(attempt);
      }
    }
    // Every signal sent stopped one run: the first during set-up (the initial batch), the
    // others later. Worker processes count calls each, so a late marker may not be reached.
    std::size_t signals_sent = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      signals_sent += entry.path().filename().string().starts_with("signal-") ? 1 : 0;
    CHECK(stopped_at.size() == signals_sent);
    CHECK(stopped_at.size() >= 2);
    require_identical(reference, resumed);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("a SIGTERM from outside leaves a checkpoint from which the run completes identically",
          "[checkpoint][signals]") {
  const auto dir = scratch("external");
  const std::string checkpoint = (dir / "run.ckpt").string();
  parnest::Model slow = parnest::reference::gaussian(2).model;
  const auto fast = slow.log_likelihood;
  int started[2];
  REQUIRE(::pipe(started) == 0);
  slow.log_likelihood = [fast, &started](std::span<const double> theta) {
    static bool told = false;
    if (!told) {
      told = true;
      (void)!::write(started[1], "x", 1);  // the handlers are installed by now
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    return fast(theta);
  };
  const pid_t child = ::fork();
  if (child == 0) {
    int code = 0;
    try {
      parnest::Sampler<parnest::Sequential> sampler(slow, options);
      sampler.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint, .progress = false});
    } catch (const parnest::Interrupted&) {
      code = 3;
    } catch (...) {
      code = 4;
    }
    ::_exit(code);
  }
  char byte;
  REQUIRE(::read(started[0], &byte, 1) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 3);  // interrupted, not finished and not killed
  REQUIRE(std::filesystem::exists(checkpoint));

  std::size_t calls_after_resume = 0;
  parnest::Model counted = parnest::reference::gaussian(2).model;
  counted.log_likelihood = [&, fast](std::span<const double> theta) {
    ++calls_after_resume;
    return fast(theta);
  };
  parnest::Sampler<parnest::Sequential> sampler(counted, options);
  const parnest::Result resumed =
      sampler.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint, .progress = false});
  require_identical(uninterrupted(), resumed);
  CHECK(calls_after_resume > 0);
  CHECK(calls_after_resume < resumed.n_like);  // work done before the signal was kept

  // The finished run's checkpoint gives the result again, calling the likelihood only to check
  // that it is the one the checkpoint was written with.
  calls_after_resume = 0;
  require_identical(
      resumed, sampler.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint, .progress = false}));
  CHECK(calls_after_resume == parnest::detail::probe_count);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second signal ends the process at once, and handlers are restored after a run",
          "[signals]") {
  const pid_t child = ::fork();
  if (child == 0) {
    parnest::Model model = parnest::reference::gaussian(2).model;
    const auto inner = model.log_likelihood;
    model.log_likelihood = [inner](std::span<const double> theta) {
      static int calls = 0;
      if (++calls == 30) {
        ::kill(::getpid(), SIGTERM);
        ::kill(::getpid(), SIGTERM);
      }
      return inner(theta);
    };
    parnest::Sampler<parnest::Sequential> sampler(model, options);
    try {
      sampler.run({.ncores = 1, .progress = false});
    } catch (...) {
    }
    ::_exit(0);  // not reached if the second signal ended the process
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);

  // A program's own handler is back in place after run().
  static std::atomic<int> seen{0};
  struct sigaction mine {
  }, before{}, after{};
  mine.sa_handler = [](int) { seen = 1; };
  sigemptyset(&mine.sa_mask);
  ::sigaction(SIGTERM, &mine, &before);
  uninterrupted();
  ::sigaction(SIGTERM, &before, &after);
  CHECK(after.sa_handler == mine.sa_handler);
}

TEST_CASE("checkpoints of another run are refused, saying what differs, and left alone",
          "[checkpoint][errors]") {
  const auto dir = scratch("mismatch");
  const std::string checkpoint = (dir / "run.ckpt").string();
  const auto model = parnest::reference::gaussian(2).model;
  parnest::Sampler<parnest::Sequential> sampler(model, options);
  sampler.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint, .progress = false});
  const std::string saved = bytes_of(checkpoint);

  parnest::Sampler<parnest::Sequential> more_live(model, {.n_live = 120, .n_replace = 4});
  CHECK_THROWS_AS(more_live.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint}),
                  parnest::CheckpointError);
  CHECK_THROWS_WITH(
      more_live.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint}),
      Contains("belongs to a different run") && Contains("option n_live = 100 there, 120 here"));
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .seed = 10, .checkpoint = checkpoint}),
                    Contains("seed 9 there, 10 here"));
  parnest::Model renamed = model;
  renamed.names = {"a", "b"};
  parnest::Sampler<parnest::Sequential> other_names(renamed, options);
  CHECK_THROWS_WITH(other_names.run({.ncores = 1, .seed = 9, .checkpoint = checkpoint}),
                    Contains("parameters (x0, x1) there, (a, b) here"));
  CHECK(bytes_of(checkpoint) == saved);

  // resume = false starts afresh and replaces it.
  const auto fresh = more_live.run(
      {.ncores = 1, .seed = 9, .checkpoint = checkpoint, .resume = false, .progress = false});
  CHECK(bytes_of(checkpoint) != saved);
  CHECK(fresh.options[0] == std::pair<std::string, std::string>{"n_live", "120"});
  std::filesystem::remove_all(dir);
}

// A checkpoint of `model`, then resumed with the same names, options and seed but `changed`:
// refused with a message containing `expected`; the unchanged model still resumes, calling
// only its own likelihood checks.
template <class Backend>
void refuses_changed_model(const char* name, typename Backend::Options backend_options,
                           const parnest::Model& model, const parnest::Model& changed,
                           const std::string& expected) {
  const auto dir = scratch(std::string("changed-") + name);
  const std::string checkpoint = (dir / "run.ckpt").string();
  const parnest::RunOptions run{
      .ncores = 1, .seed = 9, .checkpoint = checkpoint, .progress = false};
  const parnest::Result first = parnest::Sampler<Backend>(model, backend_options).run(run);
  const std::string saved = bytes_of(checkpoint);
  parnest::Sampler<Backend> other(changed, backend_options);
  CHECK_THROWS_AS(other.run(run), parnest::CheckpointError);
  CHECK_THROWS_WITH(other.run(run), Contains(expected) && Contains("resume = false"));
  CHECK(bytes_of(checkpoint) == saved);
  require_identical(first, parnest::Sampler<Backend>(model, backend_options).run(run));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a checkpoint written with another likelihood or prior is refused, with the values",
          "[checkpoint][errors]") {
  const auto model = parnest::reference::gaussian(2).model;
  parnest::Model wider = model;  // the same names and options: only the likelihood differs
  wider.log_likelihood = [&model](std::span<const double> theta) {
    return 0.5 * model.log_likelihood(theta);
  };
  parnest::Model shifted = model;
  shifted.prior = [&model](std::span<const double> u, std::span<double> theta) {
    model.prior(u, theta);
    theta[0] += 1e-3;
  };
  refuses_changed_model<parnest::Sequential>("sequential", options, model, wider,
                                             "was written with another likelihood: at x0 = ");
  refuses_changed_model<parnest::Batch>("batch", {.n_live = 100}, model, wider, "log L was ");
  refuses_changed_model<parnest::Smc>("smc", {.n_eff_per_step = 128, .n_active = 128, .n_eff = 600},
                                      model, wider, ", this model gives ");
  refuses_changed_model<parnest::Sequential>("prior", options, model, shifted,
                                             "was written with another prior: at unit-cube point");
}

TEST_CASE("corrupt, truncated and foreign checkpoints are refused; the previous one survives",
          "[checkpoint][errors]") {
  const auto dir = scratch("corrupt");
  const std::string checkpoint = (dir / "run.ckpt").string();
  const auto model = parnest::reference::gaussian(2).model;
  parnest::Sampler<parnest::Sequential> sampler(model, options);
  const parnest::RunOptions run{.ncores = 1,
                                .seed = 9,
                                .checkpoint = checkpoint,
                                .checkpoint_every = 0.0,  // after every iteration
                                .progress = false};
  const parnest::Result complete = sampler.run(run);
  REQUIRE(std::filesystem::exists(checkpoint + ".prev"));
  const std::string good = bytes_of(checkpoint);

  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  overwrite(checkpoint, flipped);
  CHECK_THROWS_WITH(sampler.run(run), Contains("is corrupt: its checksum does not match") &&
                                          Contains("left as it is") && Contains(".prev"));
  CHECK(bytes_of(checkpoint) == flipped);

  overwrite(checkpoint, good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(sampler.run(run), Contains("is truncated"));
  overwrite(checkpoint, "# not a checkpoint\n");
  CHECK_THROWS_WITH(sampler.run(run), Contains("is not a parnest checkpoint"));
  // A checkpoint of format 2 (parnest 0.1.2, before each state object had one serialize).
  std::string older = good;
  const std::uint64_t format_2 = 2;
  std::memcpy(older.data() + 16, &format_2, sizeof format_2);
  overwrite(checkpoint, older);
  CHECK_THROWS_WITH(sampler.run(run), Contains("has format version 2, this parnest reads 3"));
  CHECK_THROWS_AS(sampler.run(run), parnest::CheckpointError);

  // The one before the last, kept as .prev, resumes to the same result.
  std::filesystem::copy_file(checkpoint + ".prev", dir / "previous.ckpt");
  parnest::RunOptions from_previous = run;
  from_previous.checkpoint = (dir / "previous.ckpt").string();
  require_identical(complete, sampler.run(from_previous));
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unwritable checkpoint location fails the run before its first likelihood call",
          "[checkpoint][errors]") {
  const auto dir = scratch("unwritable");
  overwrite(dir / "file", "a file, not a directory\n");
  std::size_t calls = 0;
  parnest::Model counted = parnest::reference::gaussian(2).model;
  counted.log_likelihood = [&](std::span<const double> theta) {
    ++calls;
    return parnest::reference::gaussian(2).model.log_likelihood(theta);
  };
  parnest::Sampler<parnest::Sequential> sampler(counted, options);
  // Root may write anywhere, so a directory that cannot exist stands for a read-only one.
  const std::string under_file = (dir / "file" / "run.ckpt").string();
  CHECK_THROWS_AS(sampler.run({.ncores = 1, .checkpoint = under_file, .progress = false}),
                  parnest::IoError);
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .checkpoint = under_file, .progress = false}),
                    Contains("cannot create directory " + (dir / "file").string()));
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .checkpoint = dir.string(), .progress = false}),
                    Contains("cannot write " + dir.string() + ": it is a directory"));
  CHECK(calls == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("temporary files that a killed writer left beside the checkpoint are removed",
          "[checkpoint]") {
  const auto dir = scratch("stale");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // its process id now belongs to nobody
  const auto stale = dir / ("run.ckpt.tmp-" + std::to_string(child));
  const auto alive = dir / "run.ckpt.tmp-1";  // init's: a writer that may still be writing
  const auto other = dir / "other.ckpt.tmp-1234567";
  for (const auto& path : {stale, alive, other}) overwrite(path, "half a checkpoint");
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model, options);
  sampler.run({.ncores = 1, .checkpoint = (dir / "run.ckpt").string(), .progress = false});
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(alive));
  CHECK(std::filesystem::exists(other));  // another file's
  std::filesystem::remove_all(dir);
}

TEST_CASE("a checkpoint write that fails during a run is reported and the run goes on",
          "[checkpoint][errors]") {
  const auto dir = scratch("failing-writes");
  const auto checkpoints = dir / "checkpoints";
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model, options);
  std::size_t snapshots = 0;
  const parnest::Result r = sampler.run({.ncores = 1,
                                         .seed = 9,
                                         .checkpoint = (checkpoints / "run.ckpt").string(),
                                         .checkpoint_every = 0.0,  // after every iteration
                                         .progress = false,
                                         .progress_every = 1e-9,
                                         .on_progress = [&](const parnest::Progress&) {
                                           // Halfway, the directory gives way to a file: every
                                           // later write fails.
                                           if (++snapshots == 20) {
                                             std::filesystem::remove_all(checkpoints);
                                             overwrite(checkpoints, "in the way\n");
                                           }
                                         }});
  REQUIRE(snapshots > 20);
  const parnest::Result reference = uninterrupted();
  CHECK(r.log_z == reference.log_z);
  CHECK(r.n_like == reference.n_like);
  REQUIRE(!r.warnings.empty());
  CHECK_THAT(r.warnings.back(), Contains("checkpoint writes failed, the last with: cannot "));
  CHECK_THAT(r.warnings.back(), Contains(checkpoints.string()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a signal during Batch's final bootstrap stops it; the resumed run finishes alike",
          "[checkpoint][signals]") {
  const auto dir = scratch("bootstrap-signal");
  const parnest::Model model = parnest::reference::gaussian(2).model;
  parnest::Sampler<parnest::Batch> sampler(model, {.n_live = 100});
  const parnest::Result reference = sampler.run({.ncores = 1, .seed = 4, .progress = false});
  parnest::RunOptions run{.ncores = 1,
                          .seed = 4,
                          .checkpoint = (dir / "run.ckpt").string(),
                          .progress = false,
                          .progress_every = 3600};
  // The finished snapshot comes after the sampling, just before the error bootstrap.
  run.on_progress = [](const parnest::Progress& p) {
    if (p.finished) ::raise(SIGTERM);
  };
  CHECK_THROWS_WITH(sampler.run(run), Contains("during Batch's error bootstrap (replicate 0 of") &&
                                          Contains("the sampling is complete in checkpoint"));
  run.on_progress = nullptr;
  require_identical(reference, sampler.run(run));
  std::filesystem::remove_all(dir);
}

TEST_CASE("progress reaches a callback, throttled, and ends with a finished snapshot",
          "[progress]") {
  std::vector<parnest::Progress> seen;
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model, options);
  const parnest::Result r =
      sampler.run({.ncores = 1,
                   .progress = false,
                   .progress_every = 1e-9,
                   .on_progress = [&](const parnest::Progress& p) { seen.push_back(p); }});
  REQUIRE(seen.size() > 10);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].n_like >= seen[i - 1].n_like);
  CHECK(seen.back().finished);
  CHECK(seen.back().n_like == r.n_like);
  CHECK(seen.back().sampler == "sequential");
  CHECK(seen.back().remaining < 0.1);  // the dlogz rule stopped the run
  CHECK(seen.front().remaining > seen.back().remaining);

  // Long intervals: nothing but the final snapshot.
  seen.clear();
  sampler.run({.ncores = 1,
               .progress = false,
               .progress_every = 3600,
               .on_progress = [&](const parnest::Progress& p) { seen.push_back(p); }});
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].finished);

  parnest::Progress p;
  p.sampler = "sequential";
  p.iteration = 1200;
  p.n_like = 34567;
  p.calls_per_second = 12345;
  p.efficiency = 0.21;
  p.log_z = -12.345;
  p.remaining_name = "dlogz";
  p.remaining = 1.2;
  p.target = 0.1;
  p.elapsed_seconds = 3725;
  CHECK(parnest::detail::format_progress(p) ==
        "parnest: sequential  it 1200  calls 34.6k (12.3k/s)  eff 0.210  log Z -12.345  dlogz "
        "1.2 (target 0.1)  1:02:05");
}

TEST_CASE("bad checkpoint and progress intervals are refused", "[checkpoint][errors]") {
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model, options);
  CHECK_THROWS_WITH(sampler.run({.checkpoint = "x", .checkpoint_every = -1}),
                    Contains("checkpoint_every must be a finite number >= 0"));
  CHECK_THROWS_AS(sampler.run({.progress_every = NAN}), parnest::ConfigError);
}
