#pragma once
/// @file pool/process.hpp
/// Runs rows in worker processes forked from this program: parallelism for likelihoods that
/// are not thread-safe (legacy C or Fortran with global state), robust to crashing workers.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parnest/pool/pool.hpp"

namespace parnest {

/// A pool of worker processes forked from the running program (POSIX fork), so that they
/// inherit the model and its data without serialisation and without any special main().
///
/// - Workers start at the first batch and are reused for later batches and runs. A worker
///   sees the program's memory as it was when it was forked: a model object created later
///   makes the pool fork fresh workers, and restart() does so after you change data that an
///   existing model reads.
/// - Batches travel as flat arrays of doubles over a socket per worker, in chunks handed to
///   whichever worker is idle, so uneven likelihood costs do not leave workers waiting.
/// - A worker that dies (segfault, abort, killed by a signal), or hangs past
///   Options::row_timeout, is replaced and its rows re-run alone, up to max_retries times
///   each, before map() throws a PoolError naming the signal (or the timeout) and the row. Rows
///   already evaluated are kept. Exceptions thrown by the likelihood reach the caller as the same
///   parnest exception (and values) as in a serial run.
/// - Workers never call MPI (launcher variables are removed from their environment), ignore
///   SIGINT and SIGTERM (the parent decides), die with the parent, and leave through _exit().
///
/// Not for use from several threads at once: map() calls are serialised.
class ProcessPool final : public Pool {
 public:
  struct Options {
    /// Worker processes. 0: the CPUs this process may use (as for RunOptions::ncores).
    std::size_t workers = 0;
    /// Runs once in each worker process after it starts (and in a replacement worker), with
    /// the worker's index 0..workers-1: open a file, load data, seed a library. An exception
    /// from it fails the batch with a PoolError carrying its message.
    std::function<void(std::size_t worker)> setup{};
    /// Threads each worker may use inside the likelihood: oneTBB (global_control), and
    /// OpenMP/BLAS through OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set in
    /// the worker. Keeps 8 workers from starting 8 threads each.
    std::size_t threads_per_worker = 1;
    /// Times a row whose worker died is re-run before the batch fails.
    std::size_t max_retries = 2;
    /// Rows per message to a worker. 0: guided, as MpiPool: each message takes half a fair
    /// share of the rows not yet handed out (left / (2 workers)), single rows at the end.
    std::size_t chunk_rows = 0;
    /// Seconds a row may take (0: no limit). A worker still busy after this many seconds per
    /// row of its chunk is killed; its rows are re-run alone as for a crash, and a row that
    /// times out more than max_retries times fails the batch with a PoolError naming it.
    double row_timeout = 0.0;
  };

  /// What happened so far, for tests and diagnostics.
  struct Stats {
    std::size_t workers_started = 0;  ///< processes forked, replacements included
    std::size_t crashes = 0;          ///< workers that died while running rows
    std::size_t rows_retried = 0;     ///< rows re-run because their worker died
    std::size_t timeouts = 0;         ///< workers killed for running past row_timeout
    std::size_t batches = 0;          ///< map() calls
  };

  /// @throws ConfigError if `workers` is 0.
  explicit ProcessPool(std::size_t workers);
  /// @throws ConfigError for out-of-range options.
  explicit ProcessPool(Options options);
  /// Ends the workers (closing their sockets, then SIGKILL after a grace period) and reaps
  /// them: no zombie and no descriptor outlives the pool.
  ~ProcessPool() override;
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  std::size_t size() const noexcept override;
  /// @throws PoolError when a worker cannot be started or keeps dying on a row, or the task
  /// has no recipe; the row's own exception (LikelihoodError, ...) when it throws.
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override;
  std::string describe() const override;
  bool runs_threads_concurrently() const noexcept override { return false; }
  std::vector<std::string> take_warnings() override;

  /// Ends the workers; the next batch forks fresh ones that see the program as it is then.
  void restart();
  /// Counts of the pool's work so far (workers started, crashes, rows re-run,
  /// batches).
  Stats stats() const;
  /// Process ids of the running workers (empty before the first batch).
  std::vector<int> worker_pids() const;
  /// The options the pool was made with (workers resolved to a number).
  const Options& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/process_pool.ipp"
#endif
