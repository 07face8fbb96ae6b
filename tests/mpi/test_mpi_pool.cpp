// The MPI pool under mpiexec with 2, 3 and 4 ranks (tests/CMakeLists.txt): every rank runs
// each test case. Results must equal a serial run bit for bit and be the same on every rank.
#include <mpi.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "identical.hpp"
#include "problems.hpp"
#include "recording_logger.hpp"
#include "vectorised.hpp"

using Catch::Matchers::Contains;
using parnest::testing::require_identical;

namespace {

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int world_size() {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

parnest::Sequential::Options small(parnest::Sample move = parnest::Sample::automatic) {
  parnest::Sequential::Options o;
  o.n_live = 60;
  o.n_replace = 6;
  o.sample = move;
  o.walks = 10;
  return o;
}

parnest::Result serial_run(const parnest::Model& model, const parnest::Sequential::Options& o,
                           std::uint64_t seed) {
  parnest::Sampler<parnest::Sequential> sampler(model, o);
  return sampler.run(
      {.pool = std::make_shared<parnest::SerialPool>(), .seed = seed, .progress = false});
}

// Small runs of the batch backends, for the pool variants their tests do not vary.
const parnest::Batch::Options small_batch{.n_live = 100, .n_batch = 40, .n_eff = 500};
const parnest::Smc::Options small_smc{.n_eff_per_step = 64, .n_active = 32, .n_eff = 256};

/// Runs the backend serially, then with `parallel` (by default the launcher's pool, one thread
/// per rank), from the same seed; requires the same result and returns it.
template <class Backend>
parnest::Result require_serial_result(const parnest::Model& model,
                                      const typename Backend::Options& o, std::uint64_t seed,
                                      parnest::RunOptions parallel = {}) {
  parnest::Sampler<Backend> sampler(model, o);
  const auto expected = sampler.run(
      {.pool = std::make_shared<parnest::SerialPool>(), .seed = seed, .progress = false});
  parallel.seed = seed;
  parallel.progress = false;
  const auto result = sampler.run(parallel);
  require_identical(expected, result);
  return result;
}

/// The same text on every rank (rank 0's), to check that all ranks agree.
std::string from_rank_0(std::string text) {
  int n = static_cast<int>(text.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  text.resize(static_cast<std::size_t>(n));
  MPI_Bcast(text.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
  return text;
}

double from_rank_0(double x) {
  MPI_Bcast(&x, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return x;
}

}  // namespace

TEST_CASE("the launcher is detected and run() picks the MPI pool", "[mpi]") {
  const auto env = parnest::detect_environment();
  CHECK(env.launcher == "OpenMPI");
  CHECK(env.size == world_size());
  CHECK(env.rank == world_rank());
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
  const auto result = sampler.run({.seed = 3, .progress = false});
  CHECK(result.pool == "mpi(" + std::to_string(world_size()) + " ranks)");
  CHECK(parnest::is_root() == (world_rank() == 0));
}

TEST_CASE("every move gives the serial result bit for bit on every rank", "[mpi]") {
  const auto problem = parnest::reference::gaussian_shells();
  for (auto move :
       {parnest::Sample::automatic, parnest::Sample::random_walk, parnest::Sample::slice}) {
    INFO("move " << parnest::name(move));
    const auto serial = serial_run(problem.model, small(move), 7);
    parnest::Sampler<parnest::Sequential> sampler(problem.model, small(move));
    const auto result = sampler.run({.seed = 7, .progress = false});
    require_identical(serial, result);
    CHECK(result.wall_seconds == from_rank_0(result.wall_seconds));  // rank 0's Result
  }
}

TEST_CASE("a slow likelihood (rank 0 evaluates on its helper thread) gives the serial result",
          "[mpi]") {
  auto problem = parnest::reference::gaussian(2);
  problem.model.log_likelihood = [inner = problem.model.log_likelihood](std::span<const double> x) {
    std::this_thread::sleep_for(std::chrono::microseconds(400));
    return inner(x);
  };
  auto options = small();
  options.n_live = 30;
  options.n_replace = 10;
  options.dlogz = 1.0;
  parnest::Sampler<parnest::Sequential> sampler(problem.model, options);
  const auto result = sampler.run({.seed = 8, .progress = false});
  require_identical(serial_run(problem.model, options, 8), result);
}

TEST_CASE("two runs in one program each equal to its serial run", "[mpi]") {
  const auto problem = parnest::reference::gaussian(3);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
  for (std::uint64_t seed : {11u, 12u}) {
    const auto result = sampler.run({.seed = seed, .progress = false});
    require_identical(serial_run(problem.model, small(), seed), result);
  }
}

TEST_CASE("threads on each rank (ncores under a launcher) give the serial result", "[mpi]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
  const auto result = sampler.run({.ncores = 2, .seed = 5, .progress = false});
  CHECK_THAT(result.pool, Contains("x 2 threads"));
  require_identical(serial_run(problem.model, small(), 5), result);
  require_serial_result<parnest::Batch>(problem.model, small_batch, 5, {.ncores = 2});
  require_serial_result<parnest::Smc>(problem.model, small_smc, 5, {.ncores = 2});
}

TEST_CASE("only rank 0 writes output files and checkpoints", "[mpi]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("parnest-mpi-output-" + from_rank_0(std::to_string(::getpid())));
  const auto mine = dir / ("rank" + std::to_string(world_rank()));
  if (world_rank() == 0) std::filesystem::remove_all(dir);
  MPI_Barrier(MPI_COMM_WORLD);
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
  const auto result =
      sampler.run({.seed = 2, .checkpoint = (mine / "run.ckpt").string(), .progress = false});
  parnest::write(result, (mine / "run").string());
  MPI_Barrier(MPI_COMM_WORLD);
  const bool root = world_rank() == 0;
  CHECK(std::filesystem::exists(mine / "run.ckpt") == root);
  CHECK(std::filesystem::exists(mine / "run.csv") == root);
  CHECK(std::filesystem::exists(mine / "run_summary.json") == root);
  if (!root) CHECK_FALSE(std::filesystem::exists(mine));
  MPI_Barrier(MPI_COMM_WORLD);
  if (root) std::filesystem::remove_all(dir);
}

TEST_CASE("a likelihood that throws on another rank ends run() on every rank", "[mpi]") {
  auto problem = parnest::reference::gaussian(2);
  const int me = world_rank();
  parnest::Model failing = problem.model;
  failing.log_likelihood =
      [me, inner = problem.model.log_likelihood](std::span<const double> x) -> double {
    if (me == world_size() - 1 && x[0] > 0.7) throw std::runtime_error("detector offline");
    return inner(x);
  };
  parnest::Sampler<parnest::Sequential> sampler(failing, small());
  std::string message;
  std::vector<double> theta;
  try {
    sampler.run({.seed = 4, .progress = false});
  } catch (const parnest::LikelihoodError& e) {
    message = e.what();
    theta = e.theta();
  }
  INFO("rank " << me << ": " << message);
  CHECK_THAT(message, Contains("detector offline") &&
                          Contains("on MPI rank " + std::to_string(world_size() - 1)));
  REQUIRE(theta.size() == 2);
  CHECK(theta[0] > 0.7);
  CHECK(message == from_rank_0(message));

  // Nothing is left in flight: the next run is the serial one.
  parnest::Sampler<parnest::Sequential> healthy(problem.model, small());
  require_identical(serial_run(problem.model, small(), 4),
                    healthy.run({.seed = 4, .progress = false}));
}

TEST_CASE("SIGTERM on every rank: all leave with Interrupted and a rerun resumes", "[mpi]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("parnest-mpi-signal-" + from_rank_0(std::to_string(::getpid())));
  const std::string checkpoint = (dir / "run.ckpt").string();
  if (world_rank() == 0) std::filesystem::remove_all(dir);
  MPI_Barrier(MPI_COMM_WORLD);
  const auto problem = parnest::reference::gaussian(2);
  // As a scheduler does: the signal reaches every rank at once, here sent by the last rank's
  // likelihood at its 40th call (rank 0 may evaluate no rows at all).
  std::vector<int> pids(static_cast<std::size_t>(world_size()));
  const int me = ::getpid();
  MPI_Allgather(&me, 1, MPI_INT, pids.data(), 1, MPI_INT, MPI_COMM_WORLD);
  static int calls = 0;
  calls = 0;
  const bool sender = world_rank() == world_size() - 1;
  parnest::Model signalled = problem.model;
  signalled.log_likelihood = [&, inner = problem.model.log_likelihood](std::span<const double> x) {
    if (sender && ++calls == 40)
      for (int pid : pids) ::kill(pid, SIGTERM);
    return inner(x);
  };
  std::string message;
  try {
    parnest::Sampler<parnest::Sequential> sampler(signalled, small());
    sampler.run({.seed = 6, .checkpoint = checkpoint, .progress = false});
  } catch (const parnest::Interrupted& e) {
    message = e.what();
    CHECK(e.signal() == SIGTERM);
  }
  CHECK_THAT(message, Contains("checkpoint written to"));
  CHECK(message == from_rank_0(message));
  parnest::Sampler<parnest::Sequential> again(problem.model, small());
  const auto resumed = again.run({.seed = 6, .checkpoint = checkpoint, .progress = false});
  require_identical(serial_run(problem.model, small(), 6), resumed);
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) std::filesystem::remove_all(dir);
}

TEST_CASE("a rank late to run() is reported by the ranks that wait for it", "[mpi]") {
  const auto problem = parnest::reference::gaussian(2);
  auto logger = std::make_shared<parnest::testing::RecordingLogger>();
  auto pool = std::make_shared<parnest::MpiPool>(
      parnest::MpiPool::Options{.wait_report_seconds = 0.2, .logger = logger});
  parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
  // The last rank arrives 0.7 s late.
  if (world_rank() == world_size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const auto result = sampler.run({.pool = pool, .seed = 1, .progress = false});
  require_identical(serial_run(problem.model, small(), 1), result);
  if (world_rank() == 0)
    CHECK_THAT(logger->text(),
               Contains("warning: rank 0 of " + std::to_string(world_size()) + " has waited") &&
                   Contains("every rank must call run()"));
}

TEST_CASE("a communicator of the caller's: two halves run two samplers at once", "[mpi]") {
  const int me = world_rank();
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, me % 2, me, &half);
  int half_rank = 0, half_size = 0;
  MPI_Comm_rank(half, &half_rank);
  MPI_Comm_size(half, &half_size);
  const auto problem = parnest::reference::gaussian(2);
  const std::uint64_t seed = 20 + static_cast<std::uint64_t>(me % 2);
  {
    auto pool = std::make_shared<parnest::MpiPool>(parnest::MpiPool::Options{.comm = half});
    CHECK(pool->ranks() == half_size);
    CHECK(parnest::is_root() == (half_rank == 0));
    parnest::Sampler<parnest::Sequential> sampler(problem.model, small());
    const auto result = sampler.run({.pool = pool, .seed = seed, .progress = false});
    require_identical(serial_run(problem.model, small(), seed), result);
    CHECK(result.writes_output == (half_rank == 0));  // write() writes one set per half
  }
  // parnest left the caller's communicator and MPI itself usable.
  int sum = 0;
  MPI_Allreduce(&half_rank, &sum, 1, MPI_INT, MPI_SUM, half);
  CHECK(sum == half_size * (half_size - 1) / 2);
  MPI_Comm_free(&half);
  parnest::MpiPool world;  // is_root() answers for world again
  CHECK(parnest::is_root() == (me == 0));
}

TEST_CASE("worker groups run each likelihood call on two ranks together", "[mpi]") {
  const int d = 4;
  const double sigma = 0.1;
  // The chi-square's terms are split over the group's ranks and gathered with MPI_Allreduce
  // on the group's communicator, as an MPI-parallel likelihood would (each term travels alone,
  // so the sum is the serial one bit for bit).
  parnest::Model model = parnest::reference::gaussian(d, sigma).model;
  model.log_likelihood = [&](std::span<const double> x) {
    MPI_Comm group = parnest::group_communicator();
    int r = 0, n = 1;
    MPI_Comm_rank(group, &r);
    MPI_Comm_size(group, &n);
    double mine[d] = {}, terms[d] = {};
    for (int i = r; i < d; i += n) mine[i] = (x[i] - 0.5) * (x[i] - 0.5);
    MPI_Allreduce(mine, terms, d, MPI_DOUBLE, MPI_SUM, group);
    double r2 = 0.0;
    for (double t : terms) r2 += t;
    return -0.5 * r2 / (sigma * sigma);
  };
  if (world_size() % 2 != 0) {
    CHECK_THROWS_WITH(parnest::MpiPool(parnest::MpiPool::Options{.group_size = 2}),
                      Contains("not a multiple of group_size = 2"));
    return;
  }
  auto pool = std::make_shared<parnest::MpiPool>(parnest::MpiPool::Options{.group_size = 2});
  CHECK(pool->size() == static_cast<std::size_t>(world_size() / 2));
  parnest::Sampler<parnest::Sequential> sampler(model, small());
  const auto result = sampler.run({.pool = pool, .seed = 9, .progress = false});
  CHECK_THAT(result.pool, Contains("groups of 2"));
  // Serially the "group" is MPI_COMM_SELF: one rank computes every term.
  require_identical(serial_run(model, small(), 9), result);
  require_serial_result<parnest::Batch>(model, small_batch, 9, {.pool = pool});
  require_serial_result<parnest::Smc>(model, small_smc, 9, {.pool = pool});
}

TEST_CASE("the batch backend with emulator training gives the serial result on every rank",
          "[mpi]") {
  // Batch sends two task kinds through the pool: likelihood evaluations and, one row per
  // network, the emulator's training, which every rank rebuilds from its recipe.
  const auto problem = parnest::reference::gaussian_shells();
  const parnest::Batch::Options o{.n_live = 100, .n_batch = 40, .n_eff = 1000, .networks = 2};
  const auto result = require_serial_result<parnest::Batch>(problem.model, o, 7);
  CHECK(result.pool == "mpi(" + std::to_string(world_size()) + " ranks)");
}

TEST_CASE("the smc backend with its flow gives the serial result on every rank", "[mpi]") {
  // The flow trains on rank 0; the ranks evaluate each MCMC step's proposals, whose number
  // varies (proposals outside the prior's support are not evaluated).
  const auto problem = parnest::reference::rosenbrock();
  const parnest::Smc::Options o{.n_eff_per_step = 128, .n_active = 64, .n_eff = 512};
  const auto result = require_serial_result<parnest::Smc>(problem.model, o, 7);
  CHECK(result.pool == "mpi(" + std::to_string(world_size()) + " ranks)");
}

TEST_CASE("a vectorised likelihood gets blocks on every rank and gives the serial result",
          "[mpi]") {
  // Each rank evaluates the chunks rank 0 sends it with one call per chunk; the one-point
  // likelihood of the serial run must give the same result to the last bit.
  const auto problem = parnest::reference::gaussian_shells();
  const parnest::Batch::Options o{.n_live = 200, .n_batch = 64, .n_eff = 1000};
  parnest::Sampler<parnest::Batch> serial(problem.model, o);
  const auto expected =
      serial.run({.pool = std::make_shared<parnest::SerialPool>(), .seed = 4, .progress = false});
  std::size_t largest = 0;
  const parnest::Model model = parnest::testing::row_by_row(
      problem.model, [&](std::size_t rows) { largest = std::max(largest, rows); });
  parnest::Sampler<parnest::Batch> sampler(model, o);
  const auto result = sampler.run({.seed = 4, .progress = false});
  require_identical(expected, result);
  // Rank 0 evaluates one row at a time between messages; the other ranks take chunks.
  if (world_rank() != 0) CHECK(largest > 1);
}

TEST_CASE("one pool serves samplers whose tasks look alike one after the other", "[mpi]") {
  // The ranks forget their task when a run ends; rank 0 must send it again even though the
  // second sampler's batches carry the same (empty) context as the first one's.
  const auto problem = parnest::reference::gaussian(2);
  auto pool = std::make_shared<parnest::MpiPool>();
  require_serial_result<parnest::Batch>(problem.model, small_batch, 3, {.pool = pool});
  require_serial_result<parnest::Smc>(problem.model, small_smc, 3, {.pool = pool});
  require_serial_result<parnest::Batch>(problem.model, small_batch, 4, {.pool = pool});
}
