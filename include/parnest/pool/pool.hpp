#pragma once
/// @file pool/pool.hpp
/// The abstract pool: how a batch of tasks is evaluated. Backends hand the core batches; the
/// pool decides where each row runs (this thread, other threads, other processes or ranks).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "parnest/env.hpp"
#include "parnest/model.hpp"
#include "parnest/result.hpp"

namespace parnest {

class Task;

/// How a worker process forked from this program rebuilds a task: a function of the program,
/// an object the task is bound to that the worker already has in memory (the validated model),
/// and the state fixed for the batch (the context: bound, move, seed) as flat doubles. Forked
/// workers share the parent's code and, for objects older than the fork, its addresses, so
/// only the context travels.
struct TaskRecipe {
  /// Builds the task from its anchor and context, in the worker.
  using Rebuild = std::unique_ptr<Task> (*)(const void* anchor, std::span<const double> context);
  Rebuild rebuild = nullptr;     ///< null: the task cannot leave this process
  const void* anchor = nullptr;  ///< the object the task is bound to (the validated model)
  /// detail::next_instance_id() of the anchor: a worker forked before it existed lacks it.
  std::uint64_t anchor_id = 0;
  std::vector<double> context;  ///< the state fixed for the batch, as flat doubles
  /// The name `rebuild` is registered under (register_task_kind), for processes that are not
  /// forks of this one: an MPI rank has its own addresses and finds the function by name,
  /// and uses its own copy of the model (the Problem of the Sampler it runs) as the anchor.
  const char* kind = nullptr;
};

namespace detail {
inline std::map<std::string, TaskRecipe::Rebuild, std::less<>>& task_kinds() {
  static std::map<std::string, TaskRecipe::Rebuild, std::less<>> kinds;
  return kinds;
}
inline std::mutex& task_kinds_mutex() {
  static std::mutex mutex;
  return mutex;
}
}  // namespace detail

/// Makes tasks of the kind `kind` rebuildable on MPI ranks. Call it once per kind, at start-up
/// (initialise an inline variable with it); returns true. The first registration of a name wins.
inline bool register_task_kind(const char* kind, TaskRecipe::Rebuild rebuild) {
  std::lock_guard lock(detail::task_kinds_mutex());
  detail::task_kinds().emplace(kind, rebuild);
  return true;
}

/// The rebuild function registered under `kind`, or nullptr.
inline TaskRecipe::Rebuild find_task_kind(std::string_view kind) {
  std::lock_guard lock(detail::task_kinds_mutex());
  const auto found = detail::task_kinds().find(kind);
  return found == detail::task_kinds().end() ? nullptr : found->second;
}

/// One kind of work applied to every row of a batch: evaluate a point, draw a replacement
/// live point, run a constrained walk. A task is a pure function of its input row and of
/// state fixed for the whole batch (the task object), so any worker may run any row.
class Task {
 public:
  virtual ~Task() = default;
  /// Reads one input row, writes every element of the matching output row. May throw; the
  /// pool then reports the exception of the lowest failing row. Must be safe to call
  /// concurrently when the pool runs rows on several threads.
  virtual void run(std::span<const double> input, std::span<double> output) const = 0;
  /// Runs `rows` consecutive rows, stored one after another in `input` and `output`. Pools
  /// call it with blocks of at most block_rows() rows; the default runs run() on each row.
  /// A task overrides both for work that is cheaper many rows at a time (a vectorised
  /// likelihood). An exception fails the block: the pool reports it at the block's first row.
  virtual void run_block(std::span<const double> input, std::span<double> output,
                         std::size_t rows) const {
    const std::size_t in_cols = input.size() / rows, out_cols = output.size() / rows;
    for (std::size_t i = 0; i < rows; ++i)
      run(input.subspan(i * in_cols, in_cols), output.subspan(i * out_cols, out_cols));
  }
  /// The most rows worth passing to run_block at once; 1 (the default): rows are independent
  /// calls of run(), best spread one at a time.
  virtual std::size_t block_rows() const { return 1; }
  /// How to rebuild this task in a worker process. The default, an empty recipe, keeps the
  /// task in this process: ProcessPool refuses it.
  virtual TaskRecipe recipe() const { return {}; }
  /// What a row does, for error messages about it (a worker that crashed running it).
  virtual std::string describe_row(std::span<const double> input) const {
    std::string out = "input (";
    char buffer[32];
    for (std::size_t i = 0; i < input.size(); ++i) {
      std::snprintf(buffer, sizeof buffer, "%s%.17g", i > 0 ? ", " : "", input[i]);
      out += buffer;
    }
    return out + ")";
  }
};

/// One Sampler::run, as Pool::session sees it.
struct RunSession {
  /// Runs the algorithm, through this pool; `speaks`: this process writes the run's checkpoint
  /// and tells its logger the run's notes and warnings.
  std::function<Result(bool speaks)> lead;
  /// This process's copy of the object tasks are bound to (its Problem), from which a process
  /// that serves another's batches rebuilds their tasks (TaskRecipe::kind).
  const void* anchor = nullptr;
  /// Whether SIGINT and SIGTERM are caught while this process serves (RunOptions).
  bool handle_signals = true;
};

/// Evaluates batches of tasks. Implement it to bring your own parallelism; parnest provides
/// SerialPool and ThreadPool (and picks one in Sampler::run).
///
/// Contract: map() runs task.run(input row i, output row i) exactly once for every row i
/// (or task.run_block on consecutive rows, at most task.block_rows() of them), in any order
/// and on any worker, and returns when all rows are done. If rows throw, it
/// throws (after all rows finished) the exception of the lowest-index failing row, so that
/// the reported error does not depend on the pool.
class Pool {
 public:
  virtual ~Pool() = default;
  /// The number of workers rows are spread over.
  virtual std::size_t size() const noexcept = 0;
  /// Runs `task` over the rows of `input` into the rows of `output` (already sized).
  virtual void map(const Task& task, const RowMatrix& input, RowMatrix& output) = 0;
  /// A short human-readable description, such as "threads(4)".
  virtual std::string describe() const = 0;
  /// True if rows may run at the same time on several threads of this process, which a model
  /// that is not thread-safe cannot allow. Defaults to true for pools parnest does not know.
  virtual bool runs_threads_concurrently() const noexcept { return true; }
  /// Events of the batches since the last call that a user should hear about although the
  /// run went on (a crashed worker replaced and its rows re-run). Sampler::run adds them to
  /// Result::warnings.
  virtual std::vector<std::string> take_warnings() { return {}; }
  /// Runs one Sampler::run on this pool and returns its Result on every process the pool
  /// spans. A pool inside this process calls `run.lead`, telling it to speak for the run
  /// (write its checkpoint, notes and warnings) unless this is a rank other than 0 of a
  /// launcher's job: independent runs on several ranks then do not write over each other's
  /// checkpoint. RankPool spreads the run over other copies of the program instead.
  virtual Result session(const RunSession& run);
};

inline Result Pool::session(const RunSession& run) {
  return run.lead(detect_environment().rank == 0);
}

namespace detail {

/// Keeps the exception of the lowest failing row of a batch; safe to share between threads.
class FirstError {
 public:
  void record(std::size_t row, std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (row < row_) {
      row_ = row;
      error_ = std::move(error);
    }
  }
  void rethrow_if_any() const {
    if (error_) std::rethrow_exception(error_);
  }
  /// The lowest failing row so far (SIZE_MAX: none) and its exception.
  std::size_t row() const noexcept { return row_; }
  const std::exception_ptr& error() const noexcept { return error_; }

 private:
  std::mutex mutex_;
  std::size_t row_ = std::numeric_limits<std::size_t>::max();
  std::exception_ptr error_;
};

/// Runs rows [first, first + count) of a batch as one block (one row if the task takes one at
/// a time), recording (not propagating) its exception at `report_offset` + first. Returns
/// false if it failed.
inline bool run_block(const Task& task, const RowMatrix& input, RowMatrix& output,
                      std::size_t first, std::size_t count, FirstError& errors,
                      std::size_t report_offset = 0) noexcept {
  const auto in_cols = static_cast<std::size_t>(input.cols());
  const auto out_cols = static_cast<std::size_t>(output.cols());
  try {
    const auto row = static_cast<Eigen::Index>(first);
    std::span<const double> in(input.row(row).data(), count * in_cols);
    std::span<double> out(output.row(row).data(), count * out_cols);
    if (count == 1 && task.block_rows() <= 1)
      task.run(in, out);
    else
      task.run_block(in, out, count);
    return true;
  } catch (...) {
    errors.record(report_offset + first, std::current_exception());
    return false;
  }
}

/// Rows per block when `rows` rows are shared by `workers` workers: one row at a time for a
/// task that gains nothing from blocks, else an equal share each, at most task.block_rows().
inline std::size_t block_size(const Task& task, std::size_t rows, std::size_t workers) {
  const std::size_t limit = task.block_rows();
  if (limit <= 1 || rows == 0) return 1;
  return std::min(limit, (rows + workers - 1) / workers);
}

/// Runs every row of a batch on this thread, in blocks, and stops at its first failure (the
/// rows after it could not be reported: a lower row failed).
inline void run_rows_here(const Task& task, const RowMatrix& input, RowMatrix& output,
                          FirstError& errors, std::size_t report_offset = 0) {
  const auto rows = static_cast<std::size_t>(input.rows());
  const std::size_t block = block_size(task, rows, 1);
  for (std::size_t first = 0; first < rows; first += block)
    if (!run_block(task, input, output, first, std::min(block, rows - first), errors,
                   report_offset))
      return;
}

}  // namespace detail
}  // namespace parnest
