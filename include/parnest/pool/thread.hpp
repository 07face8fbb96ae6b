#pragma once
/// @file pool/thread.hpp
/// Runs rows on a oneTBB arena of a fixed number of threads (the caller is one of them).

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "parnest/error.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest {
namespace detail {

/// Runs every row of a batch on the `threads` threads of `arena`: one row at a time, or an
/// equal share of rows per thread for a task that takes blocks (detail::block_size). Records
/// exceptions at `report_offset` + row.
inline void run_rows_on(oneapi::tbb::task_arena& arena, std::size_t threads, const Task& task,
                        const RowMatrix& input, RowMatrix& output, FirstError& errors,
                        std::size_t report_offset = 0) {
  const auto rows = static_cast<std::size_t>(input.rows());
  const std::size_t block = block_size(task, rows, threads);
  const std::size_t blocks = (rows + block - 1) / block;
  arena.execute([&] {
    oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<std::size_t>(0, blocks, 1),
                              [&](const oneapi::tbb::blocked_range<std::size_t>& range) {
                                for (std::size_t b = range.begin(); b != range.end(); ++b) {
                                  const std::size_t first = b * block;
                                  run_block(task, input, output, first,
                                            std::min(block, rows - first), errors, report_offset);
                                }
                              });
  });
}

}  // namespace detail

/// A pool of `n_threads` threads, at most as many as oneTBB may run in this process (the
/// CPUs it may use, unless raised with oneapi::tbb::global_control): asking for more would
/// only oversubscribe the cores. Rows are handed out one at a time (grain 1), so a slow
/// likelihood at one point does not hold up the others' rows; a vectorised likelihood gets
/// an equal share of the batch per thread instead.
class ThreadPool final : public Pool {
 public:
  /// @throws ConfigError if n_threads is 0.
  explicit ThreadPool(std::size_t n_threads)
      : n_(std::min(checked(n_threads),
                    static_cast<std::size_t>(oneapi::tbb::info::default_concurrency()))),
        arena_(static_cast<int>(n_)) {}

  std::size_t size() const noexcept override { return n_; }
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override {
    detail::FirstError errors;
    detail::run_rows_on(arena_, n_, task, input, output, errors);
    errors.rethrow_if_any();
  }
  std::string describe() const override { return "threads(" + std::to_string(n_) + ")"; }
  bool runs_threads_concurrently() const noexcept override { return n_ > 1; }

 private:
  static std::size_t checked(std::size_t n) {
    if (n == 0) throw ConfigError("ThreadPool: the number of threads must be at least 1, got 0");
    return n;
  }
  std::size_t n_;
  oneapi::tbb::task_arena arena_;
};

}  // namespace parnest
