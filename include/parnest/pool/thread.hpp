#pragma once
/// @file pool/thread.hpp
/// Runs rows on a oneTBB arena of a fixed number of threads (the caller is one of them).

#include <cstddef>
#include <memory>
#include <string>

#include "parnest/pool/pool.hpp"

namespace parnest {

/// A pool of `n_threads` threads, at most as many as oneTBB may run in this process (the
/// CPUs it may use, unless raised with oneapi::tbb::global_control): asking for more would
/// only oversubscribe the cores. Rows are handed out one at a time (grain 1), so a slow
/// likelihood at one point does not hold up the others' rows; a vectorised likelihood gets
/// an equal share of the batch per thread instead.
class ThreadPool final : public Pool {
 public:
  /// @throws ConfigError if n_threads is 0.
  explicit ThreadPool(std::size_t n_threads);
  /// Ends the arena (its threads leave once idle).
  ~ThreadPool() override;

  std::size_t size() const noexcept override { return n_; }
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override;
  std::string describe() const override { return "threads(" + std::to_string(n_) + ")"; }
  bool runs_threads_concurrently() const noexcept override { return n_ > 1; }

 private:
  struct Arena;  // oneTBB's task_arena, kept out of this header
  std::size_t n_;
  std::unique_ptr<Arena> arena_;
};

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/thread_pool.ipp"
#endif
