// ProcessPool: results identical to the serial pool, errors and crashes in workers reported
// with their values, crashed workers replaced without losing rows, and no process left behind.
#include <catch2/catch.hpp>

#include <parnest/detail/instance_id.hpp>
#include <parnest/parnest.hpp>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_reduce.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "identical.hpp"
#include "problems.hpp"
#include "scratch.hpp"

using parnest::testing::first_time;
using parnest::testing::require_identical;
using parnest::testing::scratch;

using Catch::Matchers::Contains;

namespace {

// Processes whose parent is this one, zombies included, from /proc.
std::vector<int> children() {
  std::vector<int> found;
  DIR* proc = ::opendir("/proc");
  while (dirent* entry = ::readdir(proc)) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...; comm may hold spaces, so parse after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state;
    int ppid;
    rest >> state >> ppid;
    if (ppid == ::getpid()) found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

std::size_t open_descriptors() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

bool running(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  return line.substr(line.rfind(')') + 2, 1) != "Z";
}

void no_core_dumps(std::size_t) {
  const rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

// A task the pool can rebuild in its workers: row i computes in^2 and -in, and misbehaves at
// rows whose input is `bad` in the way the context says.
enum class Misbehave {
  nothing,
  throws,
  crash_once,
  crash_always,
  hang_once,
  hang_always,
  report_threads
};
const std::uint64_t anchor_id = parnest::detail::next_instance_id();
std::string crash_marker;  // set before the pool forks

class TestTask final : public parnest::Task {
 public:
  explicit TestTask(Misbehave how, double bad = -1) : how_(how), bad_(bad) {}
  void run(std::span<const double> in, std::span<double> out) const override {
    if (in[0] == bad_) {
      if (how_ == Misbehave::throws) throw parnest::LikelihoodError("bad row", {in[0]});
      if (how_ == Misbehave::crash_always ||
          (how_ == Misbehave::crash_once && first_time(crash_marker)))
        std::raise(SIGSEGV);
      if (how_ == Misbehave::hang_always ||
          (how_ == Misbehave::hang_once && first_time(crash_marker)))
        std::this_thread::sleep_for(std::chrono::hours(1));  // until the pool kills it
    }
    if (how_ == Misbehave::report_threads) {
      out[0] = static_cast<double>(oneapi::tbb::global_control::active_value(
          oneapi::tbb::global_control::max_allowed_parallelism));
      const char* omp = std::getenv("OMP_NUM_THREADS");
      out[1] = omp ? std::atof(omp) : -1.0;
      // oneTBB must still work in a worker of a parent that used it: no hang, right sum.
      out[2] = oneapi::tbb::parallel_reduce(
          oneapi::tbb::blocked_range<int>(0, 1000), 0.0,
          [](const auto& r, double sum) {
            for (int i = r.begin(); i != r.end(); ++i) sum += i;
            return sum;
          },
          std::plus<>());
      out[3] = std::getenv("OMPI_COMM_WORLD_SIZE") ? 1.0 : 0.0;
      return;
    }
    out[0] = in[0] * in[0];
    out[1] = -in[0];
  }
  parnest::TaskRecipe recipe() const override {
    return {&rebuild, &anchor_id, anchor_id, {static_cast<double>(how_), bad_}};
  }

 private:
  static std::unique_ptr<parnest::Task> rebuild(const void*, std::span<const double> c) {
    return std::make_unique<TestTask>(static_cast<Misbehave>(static_cast<int>(c[0])), c[1]);
  }
  Misbehave how_;
  double bad_;
};

parnest::RowMatrix inputs(int n) {
  parnest::RowMatrix in(n, 1);
  for (int i = 0; i < n; ++i) in(i, 0) = i;
  return in;
}

parnest::Model not_thread_safe(parnest::Model model) {
  model.thread_safe = false;
  return model;
}

// `model`, not thread-safe, whose likelihood does `misbehave` at the first point with both
// coordinates above 0.52 that any process evaluates (`marker` records that it happened).
parnest::Model misbehaving_once(const parnest::Model& model, const std::string& marker,
                                std::function<void()> misbehave) {
  parnest::Model once = not_thread_safe(model);
  once.log_likelihood = [inner = model.log_likelihood, marker,
                         misbehave = std::move(misbehave)](std::span<const double> theta) {
    if (theta[0] > 0.52 && theta[1] > 0.52 && first_time(marker)) misbehave();
    return inner(theta);
  };
  return once;
}

}  // namespace

TEST_CASE("a process pool runs every row once, in chunks, over many batches", "[process]") {
  parnest::ProcessPool pool({.workers = 3, .chunk_rows = 2});
  const parnest::RowMatrix in = inputs(101);
  for (int batch = 0; batch < 20; ++batch) {
    parnest::RowMatrix out = parnest::RowMatrix::Constant(101, 2, -7.0);
    pool.map(TestTask(Misbehave::nothing), in, out);
    for (int i = 0; i < 101; ++i) {
      REQUIRE(out(i, 0) == double(i) * i);
      REQUIRE(out(i, 1) == -double(i));
    }
  }
  CHECK(pool.stats().workers_started == 3);  // started once, reused for every batch
  CHECK(pool.stats().batches == 20);
  CHECK(pool.describe() == "processes(3)");
  CHECK_FALSE(pool.runs_threads_concurrently());
}

TEST_CASE("sequential results are bit-identical with the serial pool and 2 or 3 processes",
          "[process][determinism]") {
  const auto problem = parnest::reference::gaussian_shells();
  for (const auto sample :
       {parnest::Sample::automatic, parnest::Sample::random_walk, parnest::Sample::slice}) {
    CAPTURE(static_cast<int>(sample));
    parnest::Sampler<parnest::Sequential> sampler(
        problem.model, {.n_live = 150, .n_replace = 7, .sample = sample});
    const parnest::Result serial = sampler.run({.ncores = 1, .seed = 5});
    for (std::size_t n : {2, 3}) {
      auto pool = std::make_shared<parnest::ProcessPool>(n);
      const parnest::Result forked = sampler.run({.pool = pool, .seed = 5});
      CHECK(forked.pool == "processes(" + std::to_string(n) + ")");
      require_identical(serial, forked);
    }
  }
}

TEST_CASE("ncores > 1 with a model that is not thread-safe runs on processes", "[process]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(not_thread_safe(problem.model),
                                                {.n_live = 100, .n_replace = 4});
  const parnest::Result serial = sampler.run({.ncores = 1, .seed = 3});
  const parnest::Result forked = sampler.run({.ncores = 2, .seed = 3});
  CHECK(forked.pool == "processes(2)");
  CHECK(forked.warnings.empty());  // processes are the documented choice: nothing to warn about
  require_identical(serial, forked);
  // The sampler keeps its pool: the workers of the first run serve the second.
  const auto before = children();
  CHECK(before.size() == 2);
  require_identical(forked, sampler.run({.ncores = 2, .seed = 3}));
  CHECK(children() == before);
}

TEST_CASE("a model created after the workers started gets fresh workers", "[process]") {
  // Workers hold the program as it was when they were forked: a second model must not be
  // evaluated with the first one's likelihood.
  auto pool = std::make_shared<parnest::ProcessPool>(2);
  const auto gauss = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> first(gauss.model, {.n_live = 100, .n_replace = 4});
  first.run({.pool = pool, .seed = 2});
  parnest::Model shifted = gauss.model;
  shifted.log_likelihood = [&](std::span<const double> theta) {
    return gauss.model.log_likelihood(theta) - 10.0;
  };
  parnest::Sampler<parnest::Sequential> second(shifted, {.n_live = 100, .n_replace = 4});
  const auto serial = second.run({.ncores = 1, .seed = 2});
  require_identical(serial, second.run({.pool = pool, .seed = 2}));
  CHECK(pool->stats().workers_started == 4);
}

TEST_CASE("an exception in a worker's likelihood reaches the caller with its values",
          "[process][errors]") {
  {
    parnest::ProcessPool pool(2);
    parnest::RowMatrix out(40, 2);
    try {
      pool.map(TestTask(Misbehave::throws, 23.0), inputs(40), out);
      FAIL("no exception");
    } catch (const parnest::LikelihoodError& e) {
      CHECK_THAT(e.what(), Contains("bad row"));
      CHECK(e.theta() == std::vector<double>{23.0});
    }
  }
  // The same error as a serial run, naming the point, from a real model.
  auto model = parnest::reference::gaussian(2).model;
  model.log_likelihood = [](std::span<const double> theta) -> double {
    if (theta[0] > 0.7) throw std::runtime_error("table lookup out of range");
    return -theta[0];
  };
  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 50});
  std::string serial_message;
  try {
    sampler.run({.ncores = 1});
  } catch (const parnest::LikelihoodError& e) {
    serial_message = e.what();
  }
  REQUIRE_THAT(serial_message, Contains("table lookup out of range") && Contains("x0 = "));
  CHECK_THROWS_WITH(sampler.run({.pool = std::make_shared<parnest::ProcessPool>(2)}),
                    serial_message);
  CHECK(children().empty());
}

TEST_CASE("a worker that crashes once is replaced and its rows re-run", "[process][faults]") {
  const auto dir = scratch("crash-once");
  crash_marker = (dir / "crashed").string();
  parnest::ProcessPool pool({.workers = 2, .setup = no_core_dumps, .chunk_rows = 5});
  parnest::RowMatrix out(30, 2);
  pool.map(TestTask(Misbehave::crash_once, 17.0), inputs(30), out);
  for (int i = 0; i < 30; ++i) REQUIRE(out(i, 0) == double(i) * i);
  CHECK(pool.stats().crashes == 1);
  CHECK(pool.stats().rows_retried == 5);  // the chunk holding row 17, re-run row by row
  CHECK(pool.stats().workers_started == 3);
  const auto warnings = pool.take_warnings();
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0],
             Contains("while running rows 15-19 of a batch of 30") && Contains("they are re-run"));
#ifndef __SANITIZE_ADDRESS__
  CHECK_THAT(warnings[0], Contains("killed by signal 11"));
#endif
  CHECK(pool.take_warnings().empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a sampler run survives a likelihood that segfaults once, with the same result",
          "[process][faults]") {
  const auto dir = scratch("crash-run");
  const auto problem = parnest::reference::gaussian(2);
  const parnest::Model fragile =
      misbehaving_once(problem.model, (dir / "crashed").string(), [] { std::raise(SIGSEGV); });
  parnest::Sampler<parnest::Sequential> reference(problem.model, {.n_live = 100, .n_replace = 6});
  parnest::Sampler<parnest::Sequential> sampler(fragile, {.n_live = 100, .n_replace = 6});
  const auto serial = reference.run({.ncores = 1, .seed = 8});
  auto pool = std::make_shared<parnest::ProcessPool>(
      parnest::ProcessPool::Options{.workers = 2, .setup = no_core_dumps});
  const auto survived = sampler.run({.pool = pool, .seed = 8});
  require_identical(serial, survived);
  CHECK(pool->stats().crashes == 1);
  REQUIRE(survived.warnings.size() == 1);
  CHECK_THAT(survived.warnings[0], Contains("re-run"));
  std::filesystem::remove_all(dir);
}

namespace {
// Writes a frame of an unknown kind (99, empty) to every socket of this process: in a worker,
// its parent reads it before the reply to the rows being evaluated.
void send_unknown_frame() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(entry.path(), error);
    if (error || target.string().rfind("socket:", 0) != 0) continue;
    const std::uint64_t header[2] = {99, 0};
    const int fd = std::stoi(entry.path().filename().string());
    if (::write(fd, header, sizeof header) != static_cast<ssize_t>(sizeof header)) continue;
  }
}
}  // namespace

TEST_CASE("a worker that breaks the protocol fails the batch; the next is not fed its replies",
          "[process][faults]") {
  const auto dir = scratch("protocol");
  const auto problem = parnest::reference::gaussian(2);
  const parnest::Model garbling =
      misbehaving_once(problem.model, (dir / "garbled").string(), send_unknown_frame);
  const parnest::Sequential::Options options{.n_live = 100, .n_replace = 6};
  parnest::Sampler<parnest::Sequential> reference(problem.model, options);
  parnest::Sampler<parnest::Sequential> sampler(garbling, options);
  auto pool = std::make_shared<parnest::ProcessPool>(parnest::ProcessPool::Options{.workers = 2});
  CHECK_THROWS_WITH(sampler.run({.pool = pool, .seed = 8, .progress = false}),
                    Contains("sent an unknown message (99)"));
  // The replies still in flight when the batch failed belong to it, not to the next run's
  // first batch, whose chunks have the same places in the same number of rows.
  require_identical(reference.run({.ncores = 1, .seed = 9, .progress = false}),
                    sampler.run({.pool = pool, .seed = 9, .progress = false}));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a row that kills every worker fails the batch with the signal and the row",
          "[process][faults]") {
  {
    parnest::ProcessPool pool(
        {.workers = 2, .setup = no_core_dumps, .max_retries = 2, .chunk_rows = 4});
    parnest::RowMatrix out(12, 2);
    try {
      pool.map(TestTask(Misbehave::crash_always, 9.0), inputs(12), out);
      FAIL("no exception");
    } catch (const parnest::PoolError& e) {
      CHECK_THAT(e.what(), Contains("while running row 9 of 12") && Contains("input (9)") &&
                               Contains("3 times (max_retries = 2)"));
#ifndef __SANITIZE_ADDRESS__
      CHECK_THAT(e.what(), Contains("signal 11 (Segmentation fault)"));
#endif
    }
    CHECK(pool.stats().crashes == 3);  // the chunk holding row 9, then row 9 alone twice
    // The pool still works afterwards.
    pool.map(TestTask(Misbehave::nothing), inputs(12), out);
    CHECK(out(11, 0) == 121.0);
  }
  CHECK(children().empty());
}

TEST_CASE("a worker that hangs past row_timeout is killed and its rows re-run",
          "[process][faults][timeout]") {
  const auto dir = scratch("hang-once");
  crash_marker = (dir / "hung").string();
  {
    parnest::ProcessPool pool({.workers = 2, .chunk_rows = 3, .row_timeout = 0.5});
    parnest::RowMatrix out(12, 2);
    const auto start = std::chrono::steady_clock::now();
    pool.map(TestTask(Misbehave::hang_once, 7.0), inputs(12), out);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    for (int i = 0; i < 12; ++i) REQUIRE(out(i, 0) == double(i) * i);
    CHECK(took.count() >= 1.5);  // 3 rows x 0.5 s for the chunk holding row 7
    CHECK(took.count() < 30.0);
    CHECK(pool.stats().timeouts == 1);
    CHECK(pool.stats().rows_retried == 3);
    const auto warnings = pool.take_warnings();
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0],
               Contains("ran longer than row_timeout = 0.5 s per row and was killed while running "
                        "rows 6-8 of a batch of 12"));
  }
  CHECK(children().empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a row that hangs every time fails the batch naming the row and the timeout",
          "[process][faults][timeout]") {
  {
    parnest::ProcessPool pool(
        {.workers = 2, .max_retries = 1, .chunk_rows = 1, .row_timeout = 0.3});
    parnest::RowMatrix out(12, 2);
    try {
      pool.map(TestTask(Misbehave::hang_always, 9.0), inputs(12), out);
      FAIL("no exception");
    } catch (const parnest::PoolError& e) {
      CHECK_THAT(e.what(), Contains("ran longer than row_timeout = 0.3 s per row") &&
                               Contains("while running row 9 of 12") && Contains("input (9)") &&
                               Contains("workers timed out on this row 2 times (max_retries = 1)"));
    }
    CHECK(pool.stats().timeouts == 2);
    pool.map(TestTask(Misbehave::nothing), inputs(12), out);  // the pool still works
    CHECK(out(11, 0) == 121.0);
  }
  CHECK(children().empty());
  CHECK_THROWS_WITH(parnest::ProcessPool({.workers = 1, .row_timeout = -1}),
                    Contains("row_timeout must be a finite number >= 0"));
}

TEST_CASE("the set-up function runs once in every worker, and its failure is reported",
          "[process]") {
  const auto dir = scratch("setup");
  std::vector<int> pids;
  {
    parnest::ProcessPool pool({.workers = 3, .setup = [&](std::size_t worker) {
                                 std::ofstream(dir / std::to_string(worker), std::ios::app)
                                     << ::getpid() << "\n";
                               }});
    parnest::RowMatrix out(30, 2);
    for (int batch = 0; batch < 5; ++batch) pool.map(TestTask(Misbehave::nothing), inputs(30), out);
    pids = pool.worker_pids();
  }  // a worker may still be starting after the batches; once reaped, its set-up has run
  std::set<int> seen;
  for (std::size_t worker = 0; worker < 3; ++worker) {
    std::ifstream in(dir / std::to_string(worker));
    std::vector<int> lines;
    for (int pid; in >> pid;) lines.push_back(pid);
    REQUIRE(lines.size() == 1);
    seen.insert(lines[0]);
  }
  CHECK(seen == std::set<int>(pids.begin(), pids.end()));
  parnest::ProcessPool failing(
      {.workers = 2, .setup = [](std::size_t) { throw std::runtime_error("no data file"); }});
  parnest::RowMatrix out(4, 2);
  CHECK_THROWS_WITH(failing.map(TestTask(Misbehave::nothing), inputs(4), out),
                    Contains("set-up function threw in worker") && Contains("no data file"));
  std::filesystem::remove_all(dir);
}

TEST_CASE(
    "workers are limited in threads, even after this process used oneTBB, and never see "
    "MPI launcher variables",
    "[process]") {
  ::setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
  parnest::ThreadPool threads(2);  // oneTBB busy in this process during the forks
  parnest::RowMatrix out(4, 4);
  threads.map(TestTask(Misbehave::nothing), inputs(4), out);
  for (std::size_t limit : {1, 2}) {
    CAPTURE(limit);
    parnest::ProcessPool pool({.workers = 2, .threads_per_worker = limit});
    pool.map(TestTask(Misbehave::report_threads), inputs(4), out);
    for (int i = 0; i < 4; ++i) {
      CHECK(out(i, 0) == double(limit));
      CHECK(out(i, 1) == double(limit));
      CHECK(out(i, 2) == 499500.0);
      CHECK(out(i, 3) == 0.0);
    }
    const auto warnings = pool.take_warnings();
    // A live task_arena keeps oneTBB from being finalised before the fork: said, not hidden.
    CHECK(warnings.size() == (limit > 1 ? 2u : 0u));
    if (limit > 1) CHECK_THAT(warnings[0], Contains("oneTBB was busy"));
  }
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
}

TEST_CASE("no process or descriptor outlives the pool or its parent", "[process]") {
  std::vector<int> pids;
  const std::size_t fds_before = open_descriptors();
  {
    parnest::ProcessPool pool(3);
    parnest::RowMatrix out(9, 2);
    pool.map(TestTask(Misbehave::nothing), inputs(9), out);
    pids = pool.worker_pids();
    REQUIRE(pids.size() == 3);
    CHECK(children().size() == 3);
  }
  CHECK(children().empty());  // reaped: no zombies
  for (int pid : pids) CHECK_FALSE(running(pid));
  CHECK(open_descriptors() == fds_before);

  // A parent that dies without destroying its pool takes its workers with it.
  int channel[2];
  REQUIRE(::pipe(channel) == 0);
  const pid_t parent = ::fork();
  if (parent == 0) {
    auto* leaked = new parnest::ProcessPool(2);
    parnest::RowMatrix out(4, 2);
    leaked->map(TestTask(Misbehave::nothing), inputs(4), out);
    for (int pid : leaked->worker_pids()) (void)!::write(channel[1], &pid, sizeof pid);
    ::_exit(0);
  }
  ::close(channel[1]);
  std::vector<int> orphans(2);
  std::size_t got = 0;  // the pids arrive in two writes
  for (ssize_t n = 1; n > 0 && got < sizeof(int) * 2; got += static_cast<std::size_t>(n))
    n = ::read(channel[0], reinterpret_cast<char*>(orphans.data()) + got, sizeof(int) * 2 - got);
  REQUIRE(got == sizeof(int) * 2);
  ::close(channel[0]);
  int status;
  ::waitpid(parent, &status, 0);
  for (int pid : orphans) {
    for (int wait = 0; wait < 500 && running(pid); ++wait)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK_FALSE(running(pid));
  }
}

TEST_CASE("a task without a recipe and bad options are refused clearly", "[process][errors]") {
  struct Local : parnest::Task {
    void run(std::span<const double>, std::span<double>) const override {}
  };
  parnest::ProcessPool pool(2);
  parnest::RowMatrix out(3, 1);
  CHECK_THROWS_AS(pool.map(Local(), inputs(3), out), parnest::PoolError);
  CHECK_THROWS_WITH(pool.map(Local(), inputs(3), out), Contains("recipe"));
  CHECK_THROWS_AS(parnest::ProcessPool(0), parnest::ConfigError);
  CHECK_THROWS_WITH(parnest::ProcessPool({.workers = 2, .threads_per_worker = 0}),
                    Contains("threads_per_worker must be at least 1"));
  CHECK(parnest::ProcessPool(parnest::ProcessPool::Options{}).size() ==
        parnest::detect_environment().cpus);
}
