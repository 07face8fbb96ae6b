#pragma once
// ThreadPool's members, compiled once into libparnest (src/thread_pool.cpp), or included by
// pool/thread.hpp in header-only mode.

#include <algorithm>

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/tbb_rows.hpp"
#include "parnest/error.hpp"
#include "parnest/pool/thread.hpp"

namespace parnest {

struct ThreadPool::Arena {
  oneapi::tbb::task_arena arena;
};

namespace detail {
inline std::size_t checked_threads(std::size_t n) {
  if (n == 0) throw ConfigError("ThreadPool: the number of threads must be at least 1, got 0");
  return n;
}
}  // namespace detail

PARNEST_INLINE ThreadPool::ThreadPool(std::size_t n_threads)
    : n_(std::min(detail::checked_threads(n_threads),
                  static_cast<std::size_t>(oneapi::tbb::info::default_concurrency()))),
      arena_(std::make_unique<Arena>(Arena{oneapi::tbb::task_arena(static_cast<int>(n_))})) {}

PARNEST_INLINE ThreadPool::~ThreadPool() = default;

PARNEST_INLINE void ThreadPool::map(const Task& task, const RowMatrix& input, RowMatrix& output) {
  detail::FirstError errors;
  detail::run_rows_on(arena_->arena, n_, task, input, output, errors);
  errors.rethrow_if_any();
}

}  // namespace parnest
