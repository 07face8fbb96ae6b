// Benchmark of the pools: what a batch costs on each (round trip per batch and per point with
// a free task), the speedup of a batch by the cost of a row (10 us to 10 ms), and the speedup
// of a sampler run with a CPU-bound likelihood of about 2 ms on 1 and 2 workers. Prints
// markdown tables; times are medians.
//
//   build/bench/parnest_bench_pools [repeats]      (default 200 batches per cell)
#include <parnest/detail/instance_id.hpp>
#include <parnest/parnest.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "../tests/support/problems.hpp"
#include "burner.hpp"
#include "median.hpp"

using parnest::bench::Burner;
using parnest::bench::BurnTask;
using parnest::bench::median;

namespace {
using Clock = std::chrono::steady_clock;

// A task that only copies its input: what is left of a batch's time is the pool's cost.
const std::uint64_t anchor_id = parnest::detail::next_instance_id();
struct CopyTask final : parnest::Task {
  void run(std::span<const double> in, std::span<double> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = in[i % in.size()];
  }
  parnest::TaskRecipe recipe() const override { return {&rebuild, &anchor_id, anchor_id, {}}; }
  static std::unique_ptr<parnest::Task> rebuild(const void*, std::span<const double>) {
    return std::make_unique<CopyTask>();
  }
};

// Rows shaped like Sequential's at d = 10: 14 doubles in, 24 out.
void overhead_table(int repeats) {
  struct Named {
    const char* label;
    std::shared_ptr<parnest::Pool> pool;
  };
  const Named pools[] = {{"serial", std::make_shared<parnest::SerialPool>()},
                         {"threads(2)", std::make_shared<parnest::ThreadPool>(2)},
                         {"processes(1)", std::make_shared<parnest::ProcessPool>(1)},
                         {"processes(2)", std::make_shared<parnest::ProcessPool>(2)}};
  std::printf(
      "Pool cost with a free task (rows of 14 doubles in, 24 out), median of %d batches\n\n",
      repeats);
  std::printf("| rows per batch | pool | us per batch | us per row beyond serial |\n");
  std::printf("| --- | --- | --- | --- |\n");
  for (const int rows : {1, 10, 100, 1000}) {
    parnest::RowMatrix in = parnest::RowMatrix::Random(rows, 14), out(rows, 24);
    double serial_us = 0;
    for (const auto& [label, pool] : pools) {
      pool->map(CopyTask(), in, out);  // start workers outside the timing
      std::vector<double> us;
      for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        pool->map(CopyTask(), in, out);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      }
      const double m = median(us);
      if (pool->describe() == "serial") serial_us = m;
      std::printf("| %d | %s | %.1f | %.2f |\n", rows, label, m, (m - serial_us) / rows);
    }
  }
}

void batch_speedup_table(const Burner& burner) {
  std::printf("\nSpeedup, one batch of 400 independent rows of about 2 ms each (median of 3)\n\n");
  std::printf("| pool | wall s | speedup vs serial | of ideal |\n");
  std::printf("| --- | --- | --- | --- |\n");
  double serial = 0;
  for (std::size_t workers : {0, 1, 2}) {
    std::shared_ptr<parnest::Pool> pool;
    if (workers == 0)
      pool = std::make_shared<parnest::SerialPool>();
    else
      pool = std::make_shared<parnest::ProcessPool>(workers);
    const double m = parnest::bench::map_seconds(*pool, BurnTask(burner.steps), 400, 3);
    if (workers == 0) serial = m;
    const double ideal = static_cast<double>(std::max<std::size_t>(workers, 1));
    std::printf("| %s | %.3f | %.2f | %.0f %% |\n", pool->describe().c_str(), m, serial / m,
                100.0 * serial / m / ideal);
  }
}

void speedup_table() {
  const Burner burner(2e-3);
  batch_speedup_table(burner);
  auto problem = parnest::reference::gaussian(2);
  const auto cheap = problem.model.log_likelihood;
  problem.model.log_likelihood = [cheap, steps = burner.steps](std::span<const double> theta) {
    // The burn's result joins log L as an exact zero, so it cannot be optimised away.
    return cheap(theta) + 0.0 * Burner::burn(steps, theta[0]);
  };
  std::printf(
      "\nSpeedup, gauss-2 with a CPU-bound likelihood of about 2 ms (%zu steps), Sequential, "
      "n_live 100, n_replace 10, seed 1\n\n",
      burner.steps);
  std::printf("| pool | calls | wall s | speedup vs serial | of ideal |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  parnest::Model unsafe = problem.model;
  unsafe.thread_safe = false;
  parnest::Sampler<parnest::Sequential> safe_sampler(problem.model,
                                                     {.n_live = 100, .n_replace = 10});
  parnest::Sampler<parnest::Sequential> unsafe_sampler(unsafe, {.n_live = 100, .n_replace = 10});
  struct Case {
    parnest::Sampler<parnest::Sequential>* sampler;
    int ncores;
  };
  double serial = 0, serial_log_z = 0;
  for (const Case c : {Case{&safe_sampler, 1}, Case{&unsafe_sampler, 2}, Case{&safe_sampler, 2}}) {
    const parnest::Result r = c.sampler->run({.ncores = c.ncores, .seed = 1});
    if (c.ncores == 1) serial = r.wall_seconds, serial_log_z = r.log_z;
    if (r.log_z != serial_log_z) std::printf("(log Z differs from the serial run!)\n");
    std::printf("| %s | %zu | %.2f | %.2f | %.0f %% |\n", r.pool.c_str(), r.n_like, r.wall_seconds,
                serial / r.wall_seconds, 100.0 * serial / r.wall_seconds / c.ncores);
  }
  parnest::Sampler<parnest::Sequential> one_worker(unsafe, {.n_live = 100, .n_replace = 10});
  const parnest::Result r =
      one_worker.run({.pool = std::make_shared<parnest::ProcessPool>(1), .seed = 1});
  std::printf("| %s | %zu | %.2f | %.2f | %.0f %% |\n", r.pool.c_str(), r.n_like, r.wall_seconds,
              serial / r.wall_seconds, 100.0 * serial / r.wall_seconds);
}
// Where parallelism pays: the speedup of one batch of 256 rows as the cost of a row grows.
void cost_sweep_table() {
  std::printf(
      "\nSpeedup of one batch of independent CPU-bound rows against the same batch serially, "
      "by the cost of a row (median of 5)\n\n");
  std::printf("| cost per row | pool | rows | wall s | speedup | of ideal |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  parnest::ThreadPool threads(2);
  parnest::ProcessPool processes(2);
  parnest::bench::cost_sweep(threads, 256, 5);
  parnest::bench::cost_sweep(processes, 256, 5);
}
}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 200;
  overhead_table(repeats);
  cost_sweep_table();
  speedup_table();
}
