// Parallel efficiency of the MPI pool. A likelihood that sleeps 10 ms stands in for an expensive
// one, so that 16 ranks fit on a 2-core machine: a sleeping rank needs no core. The workload is
// batch-style: batches of independent rows, as a batch backend proposes them. For 1, 2, 4, 8 and
// 16 ranks it prints the wall time against the ideal (the serial time over the ranks), and the
// cost of a batch of free rows (what the pool itself adds per batch).
//
//   build/bench/parnest_bench_mpi [rows per batch] [batches]      (default 256 and 4)
//   build/bench/parnest_bench_mpi sweep     2 ranks, CPU-bound rows of 10 us to 10 ms
//
// Without a launcher it starts itself under mpiexec for each rank count (with the settings of
// cmake/ParnestMpiexec.cmake) and prints the table; under mpiexec it prints one row.
#include <parnest/parnest.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "burner.hpp"
#include "median.hpp"

using parnest::bench::median;
using Clock = std::chrono::steady_clock;

namespace {

// Sleeps `seconds` per row (0: a free row), then copies its input.
class SleepTask final : public parnest::Task {
 public:
  explicit SleepTask(double seconds) : seconds_(seconds) {}
  void run(std::span<const double> in, std::span<double> out) const override {
    if (seconds_ > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds_));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = in[i % in.size()];
  }
  parnest::TaskRecipe recipe() const override {
    (void)registered;
    return {&rebuild, nullptr, 0, {seconds_}, kind};
  }

 private:
  static std::unique_ptr<parnest::Task> rebuild(const void*, std::span<const double> context) {
    return std::make_unique<SleepTask>(context[0]);
  }
  static constexpr const char* kind = "bench/sleep";
  static inline const bool registered = parnest::register_task_kind(kind, &rebuild);
  double seconds_;
};

constexpr double sleep_seconds = 0.010;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Rank 0: the table row for this many ranks.
void lead(parnest::MpiPool& pool, int rows, int batches) {
  const int ranks = pool.ranks();
  // The serial cost of a row, measured here: a sleep overshoots 10 ms by a little.
  const SleepTask sleepy(sleep_seconds);
  parnest::RowMatrix one = parnest::RowMatrix::Random(1, 12), one_out(1, 12);
  std::vector<double> per_row;
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    sleepy.run(std::span<const double>(one.data(), 12), std::span<double>(one_out.data(), 12));
    per_row.push_back(seconds_since(start));
  }
  const double serial = median(per_row) * rows * batches;

  parnest::RowMatrix in = parnest::RowMatrix::Random(rows, 12), out(rows, 12);
  pool.map(SleepTask(0.0), in, out);  // the first context reaches every rank outside the timing
  const auto start = Clock::now();
  for (int b = 0; b < batches; ++b) pool.map(sleepy, in, out);
  const double wall = seconds_since(start);

  // A batch of 100 free rows: the pool's own cost per batch.
  parnest::RowMatrix free_in = parnest::RowMatrix::Random(100, 12), free_out(100, 12);
  std::vector<double> us;
  for (int r = 0; r < 200; ++r) {
    const auto t = Clock::now();
    pool.map(SleepTask(0.0), free_in, free_out);
    us.push_back(1e6 * seconds_since(t));
  }
  const double ideal = serial / ranks;
  std::printf("| %d | %d x %d | %.3f | %.3f | %.2f | %.1f%% | %.0f |\n", ranks, batches, rows, wall,
              ideal, serial / wall, 100.0 * ideal / wall, median(us));
  std::fflush(stdout);
}

}  // namespace

// Runs this program again under mpiexec (with the settings of cmake/ParnestMpiexec.cmake) with
// `ranks` ranks and `arguments`. False, after saying which command failed, if it did.
bool relaunch(const char* self, int ranks, const std::string& arguments) {
  const std::string command = std::string(PARNEST_MPIEXEC) + " -n " + std::to_string(ranks) + " " +
                              PARNEST_MPIEXEC_PREFLAGS + " " + self + " " + arguments;
  if (std::system(command.c_str()) == 0) return true;
  std::fprintf(stderr, "failed: %s\n", command.c_str());
  return false;
}

// Under a launcher: rank 0 runs `lead` on the pool of all ranks, the other ranks serve it.
template <class Lead>
void lead_or_serve(Lead lead) {
  parnest::MpiPool pool;
  if (pool.leads()) {
    lead(pool);
    pool.release({});
  } else {
    pool.serve(nullptr);
  }
}

// `sweep`: at 2 ranks (one per core here), the speedup of a batch of CPU-bound rows by their
// cost, as bench_pools prints it for threads and processes.
int sweep(const char* self) {
  if (parnest::detect_environment().launcher.empty()) return relaunch(self, 2, "sweep") ? 0 : 1;
  lead_or_serve([](parnest::MpiPool& pool) {
    std::printf("| cost per row | pool | rows | wall s | speedup | of ideal |\n");
    std::printf("| --- | --- | --- | --- | --- | --- |\n");
    parnest::bench::cost_sweep(pool, 256, 5);
  });
  return 0;
}

int main(int argc, char* argv[]) {
  if (argc > 1 && std::string(argv[1]) == "sweep") return sweep(argv[0]);
  const int rows = argc > 1 ? std::atoi(argv[1]) : 256;
  const int batches = argc > 2 ? std::atoi(argv[2]) : 4;
  if (rows < 1 || batches < 1) {
    std::fprintf(stderr, "usage: %s [rows per batch >= 1] [batches >= 1]\n", argv[0]);
    return 2;
  }
  if (parnest::detect_environment().launcher.empty()) {
    std::printf(
        "MPI pool, batch-style workload: a likelihood that sleeps %.0f ms, %d batches of %d "
        "rows;\nideal = serial time / ranks; free batch = median time of a batch of 100 rows "
        "that cost nothing (200 batches)\n\n",
        1e3 * sleep_seconds, batches, rows);
    std::printf(
        "| ranks | batches x rows | wall s | ideal s | speedup | of ideal | us per free batch |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n");
    std::fflush(stdout);
    for (int ranks : {1, 2, 4, 8, 16})
      if (!relaunch(argv[0], ranks, std::to_string(rows) + " " + std::to_string(batches))) return 1;
    return 0;
  }
  lead_or_serve([&](parnest::MpiPool& pool) { lead(pool, rows, batches); });
  return 0;
}
