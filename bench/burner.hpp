#pragma once
// A CPU-bound stand-in for an expensive likelihood, and the pool benchmark built on it: how
// close a pool comes to the ideal speedup as the cost of a row grows.
#include <parnest/parnest.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "median.hpp"

namespace parnest::bench {

/// Work that keeps a core busy for about `seconds`: a fixed count of dependent floating-point
/// operations, calibrated once, so that two workers really need two cores.
struct Burner {
  std::size_t steps = 1;
  static double burn(std::size_t steps, double x) {
    for (std::size_t i = 0; i < steps; ++i) x = std::sin(x) + 1.0000001 * std::cos(x);
    return x;
  }
  explicit Burner(double seconds) : steps(steps_for(seconds)) {}
  static std::size_t steps_for(double seconds) {
    static const double per_step = [] {
      std::vector<double> trials;
      for (int trial = 0; trial < 5; ++trial) {
        const std::size_t n = 200'000;
        const auto start = std::chrono::steady_clock::now();
        volatile double sink = burn(n, 0.3);
        (void)sink;
        trials.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n);
      }
      return median(trials);
    }();
    return std::max<std::size_t>(1, static_cast<std::size_t>(seconds / per_step));
  }
};

/// One row = one burn: the pool's own efficiency, without a sampler's imbalance. Rebuilt on
/// forked workers from its recipe and on MPI ranks by its kind.
class BurnTask final : public Task {
 public:
  explicit BurnTask(std::size_t steps) : steps_(steps) {}
  void run(std::span<const double> in, std::span<double> out) const override {
    out[0] = Burner::burn(steps_, in[0]);
  }
  TaskRecipe recipe() const override {
    (void)registered;
    return {&rebuild, nullptr, 0, {static_cast<double>(steps_)}, kind};
  }

 private:
  static std::unique_ptr<Task> rebuild(const void*, std::span<const double> context) {
    return std::make_unique<BurnTask>(static_cast<std::size_t>(context[0]));
  }
  static constexpr const char* kind = "bench/burn";
  static inline const bool registered = register_task_kind(kind, &rebuild);
  std::size_t steps_;
};

/// Seconds of one map() of `task` over `rows` rows, median of `repeats`.
inline double map_seconds(Pool& pool, const Task& task, int rows, int repeats) {
  RowMatrix in = RowMatrix::Random(rows, 1), out(rows, 1);
  std::vector<double> wall;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    pool.map(task, in, out);
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return median(wall);
}

/// For rows of 10 us to 10 ms: one batch of `rows` rows on `pool` against the same batch run
/// serially on this thread. Prints markdown rows: cost, pool, wall, speedup, share of ideal.
inline void cost_sweep(Pool& pool, int rows, int repeats) {
  SerialPool serial;
  for (const double cost : {10e-6, 30e-6, 100e-6, 300e-6, 1e-3, 10e-3}) {
    const BurnTask task(Burner::steps_for(cost));
    const int n = cost >= 10e-3 ? rows / 4 : rows;  // keep the slowest cell short
    map_seconds(pool, task, n, 1);  // workers start and receive the task outside the timing
    const double alone = map_seconds(serial, task, n, repeats);
    const double wall = map_seconds(pool, task, n, repeats);
    const double speedup = alone / wall;
    std::printf("| %.0f us | %s | %d | %.4f | %.2f | %.0f %% |\n", cost * 1e6,
                pool.describe().c_str(), n, wall, speedup,
                100.0 * speedup / static_cast<double>(pool.size()));
    std::fflush(stdout);
  }
}

}  // namespace parnest::bench
