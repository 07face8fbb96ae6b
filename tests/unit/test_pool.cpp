// Pools: every row runs exactly once, errors are reported by row (not by which worker failed
// first), and run options pick the pool as documented.
#include <catch2/catch.hpp>

#include <parnest/detail/launcher_pool.hpp>
#include <parnest/detail/select_pool.hpp>
#include <parnest/error.hpp>
#include <parnest/pool/serial.hpp>
#include <parnest/pool/thread.hpp>

#include <oneapi/tbb/info.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using Catch::Matchers::Contains;

namespace {
struct SquareTask : parnest::Task {
  void run(std::span<const double> in, std::span<double> out) const override {
    if (in[0] == 3.0 || in[0] == 7.0) throw std::runtime_error("row " + std::to_string(int(in[0])));
    out[0] = in[0] * in[0];
    out[1] = -in[0];
  }
};

// Each row records its thread, then waits (up to 10 s) until two threads have been seen: a
// rendezvous that only a pool with two threads can pass, however loaded the machine is.
struct RecordThreads : parnest::Task {
  mutable std::mutex mutex;
  mutable std::set<std::thread::id> ids;
  void run(std::span<const double>, std::span<double> out) const override {
    {
      std::lock_guard lock(mutex);
      ids.insert(std::this_thread::get_id());
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex);
        if (ids.size() >= 2) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    out[0] = 1;
  }
};

parnest::RowMatrix rows(int n) {
  parnest::RowMatrix in(n, 1);
  for (int i = 0; i < n; ++i) in(i, 0) = i + 10;  // never 3 or 7
  return in;
}

template <class P>
P make_pool() {
  if constexpr (std::is_same_v<P, parnest::ThreadPool>)
    return parnest::ThreadPool(2);
  else
    return parnest::SerialPool();
}
}  // namespace

TEMPLATE_TEST_CASE("a pool runs every row into the matching output row", "[pool]",
                   parnest::SerialPool, parnest::ThreadPool) {
  auto pool = make_pool<TestType>();
  const parnest::RowMatrix in = rows(100);
  parnest::RowMatrix out(100, 2);
  pool.map(SquareTask{}, in, out);
  for (int i = 0; i < 100; ++i) {
    CHECK(out(i, 0) == in(i, 0) * in(i, 0));
    CHECK(out(i, 1) == -in(i, 0));
  }
}

TEMPLATE_TEST_CASE("a pool reports the failure of the lowest failing row", "[pool][errors]",
                   parnest::SerialPool, parnest::ThreadPool) {
  auto pool = make_pool<TestType>();
  parnest::RowMatrix in(10, 1), out(10, 2);
  for (int i = 0; i < 10; ++i) in(9 - i, 0) = i;  // row 2 holds 7, row 6 holds 3
  CHECK_THROWS_WITH(pool.map(SquareTask{}, in, out), "row 7");
}

TEST_CASE("a thread pool spreads rows over its threads", "[pool]") {
  parnest::ThreadPool pool(2);
  RecordThreads task;
  parnest::RowMatrix in(4, 1), out(4, 1);
  pool.map(task, in, out);
  CHECK(task.ids.size() == std::min<std::size_t>(pool.size(), 2));  // 1 on a 1-CPU process
  CHECK(pool.describe() == "threads(2)");
  // More threads than oneTBB may run here would only oversubscribe: capped.
  CHECK(parnest::ThreadPool(1000).size() ==
        static_cast<std::size_t>(oneapi::tbb::info::default_concurrency()));
  CHECK_THROWS_AS(parnest::ThreadPool(0), parnest::ConfigError);
}

TEST_CASE("run options choose the pool", "[pool][options]") {
  using parnest::detail::select_pool;
  parnest::Model safe, unsafe;
  unsafe.thread_safe = false;
  parnest::Environment env;
  env.cpus = 2;

  CHECK(select_pool({}, safe, env)->describe() == "threads(2)");
  CHECK(select_pool({.ncores = 1}, safe, env)->describe() == "serial");
  CHECK(select_pool({.ncores = 2}, safe, env)->describe() == "threads(2)");
  CHECK(select_pool({.pool = 2}, safe, env)->describe() == "threads(2)");

  const auto processes = select_pool({.ncores = 2}, unsafe, env);
  CHECK(processes->describe() == "processes(2)");
  // The pool chosen last time is reused when it fits (its workers keep running).
  CHECK(select_pool({.ncores = 2}, unsafe, env, processes) == processes);
  parnest::Environment four = env;
  four.cpus = 4;
  CHECK(select_pool({.ncores = 3}, unsafe, four, processes) != processes);
  // No more workers than CPUs: ncores = 1000 forks two here.
  CHECK(select_pool({.ncores = 1000}, unsafe, env, processes) == processes);
  parnest::Environment one = env;
  one.cpus = 1;
  CHECK(select_pool({.ncores = 2}, unsafe, one)->describe() == "serial");
  CHECK(select_pool({.ncores = 2}, safe, env, processes)->describe() == "threads(2)");

  parnest::SerialPool mine;
  CHECK(select_pool({.pool = mine}, safe, env).get() == &mine);
  CHECK(select_pool({.pool = std::make_shared<parnest::ThreadPool>(2)}, safe, env)->size() == 2);
}

TEST_CASE("contradictory or invalid pool options are refused before sampling", "[pool][errors]") {
  using parnest::detail::select_pool;
  parnest::Model safe, unsafe;
  unsafe.thread_safe = false;
  parnest::Environment env;
  parnest::SerialPool mine;

  CHECK_THROWS_AS(select_pool({.ncores = 2, .pool = mine}, safe, env), std::invalid_argument);
  CHECK_THROWS_WITH(select_pool({.ncores = 2, .pool = 4}, safe, env),
                    Contains("both ncores (2) and pool were given"));
  CHECK_THROWS_WITH(select_pool({.ncores = 0}, safe, env),
                    Contains("ncores must be at least 1, got 0"));
  CHECK_THROWS_WITH(select_pool({.pool = -3}, safe, env),
                    Contains("pool must be at least 1, got -3"));
  CHECK_THROWS_WITH(select_pool({.pool = std::make_shared<parnest::ThreadPool>(2)}, unsafe, env),
                    Contains("not thread-safe"));

  parnest::Environment mpi;
  mpi.launcher = "OpenMPI";
  mpi.rank = 1;
  mpi.size = 4;
  // This program links parnest::parnest only: no MPI pool, on every rank, saying what to link.
  CHECK_FALSE(parnest::detail::built_with_mpi());
  CHECK_THROWS_WITH(select_pool({}, safe, mpi),
                    Contains("rank 1 of 4 started by OpenMPI") && Contains("parnest::mpi"));
  CHECK_THROWS_WITH(select_pool({.ncores = 2}, unsafe, mpi), Contains("not thread-safe"));
}
