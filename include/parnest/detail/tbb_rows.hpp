#pragma once
// Rows of a batch on a oneTBB arena: ThreadPool's map, and the threads of each MPI rank.

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "parnest/pool/pool.hpp"

namespace parnest::detail {

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

}  // namespace parnest::detail
