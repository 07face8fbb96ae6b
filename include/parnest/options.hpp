#pragma once
/// @file options.hpp
/// Options of Sampler::run that do not depend on the algorithm: parallelism and seed.
/// Algorithm options live with each backend (for example parnest::Sequential::Options).

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>

#include "parnest/pool/pool.hpp"

namespace parnest {

/// The `pool` run option: nothing (parnest chooses), a number of workers (like `ncores`), or
/// a pool object of the user's.
class PoolChoice {
 public:
  PoolChoice() = default;
  /// A pool size: the same as setting RunOptions::ncores.
  PoolChoice(int size) : size_(size) {}
  /// A pool the caller owns and keeps alive during the run.
  PoolChoice(Pool& pool) : pool_(&pool, [](Pool*) {}) {}
  /// A shared pool (of any type derived from Pool).
  template <std::derived_from<Pool> P>
  PoolChoice(std::shared_ptr<P> pool) : pool_(std::move(pool)) {}

  bool empty() const noexcept { return !size_ && !pool_; }
  const std::optional<int>& size() const noexcept { return size_; }
  const std::shared_ptr<Pool>& pool() const noexcept { return pool_; }

 private:
  std::optional<int> size_;
  std::shared_ptr<Pool> pool_;
};

/// How to run: with how many workers, and from which seed.
struct RunOptions {
  /// Workers for likelihood evaluations. Default: the CPUs this process may use (affinity
  /// mask, cgroup quota, SLURM_CPUS_PER_TASK). 1 runs serially. Not together with `pool`.
  std::optional<int> ncores{};
  /// A pool object, or a pool size (same as `ncores`). Not together with `ncores`.
  PoolChoice pool{};
  /// Seeds every random stream. The same seed and options give the same result, bit for
  /// bit, whatever the pool.
  std::uint64_t seed = 1;
};

}  // namespace parnest
