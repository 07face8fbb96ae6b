#pragma once
/// @file pool/mpi.hpp
/// The MPI pool: batches spread over the ranks of an MPI job (Boost.MPI over OpenMPI).
/// Sampler::run picks it by itself when the program was started by an MPI launcher with
/// several ranks; include this header to configure it (a communicator of your own, worker
/// groups, threads per rank) or to reach a worker group's communicator from a likelihood.
/// Part of the parnest::mpi component (link parnest::mpi, which defines PARNEST_HAVE_MPI).

#include <mpi.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "parnest/log.hpp"
#include "parnest/pool/ranks.hpp"

namespace parnest {

/// Master/worker pool over the ranks of a communicator. Rank 0 runs the algorithm and hands
/// out chunks of each batch as ranks finish earlier ones (two chunks ahead, so ranks do not
/// wait for the round trip); rows, results and the task context travel as contiguous arrays of
/// doubles, the context only when it changed. Rank 0 evaluates rows too, between messages.
///
/// Every rank must construct its pool and call Sampler::run with the same options, in the same
/// order (the calls are collective). MPI is initialised (MPI_THREAD_FUNNELED) if nobody has,
/// and then finalised at exit; a communicator of the caller's is duplicated, never freed.
class MpiPool final : public RankPool {
 public:
  struct Options {
    /// The ranks to use. MPI_COMM_NULL: MPI_COMM_WORLD. Give a sub-communicator to keep
    /// other ranks for your own work; parnest communicates on a duplicate of it.
    MPI_Comm comm = MPI_COMM_NULL;
    /// Ranks per likelihood evaluation. With k > 1, the ranks form groups of k consecutive
    /// ranks; each group runs every likelihood call it is given on all of its ranks together,
    /// and the likelihood reaches its group through parnest::group_communicator(). The
    /// communicator's size must be a multiple of k. The value of the group's first rank is used.
    std::size_t group_size = 1;
    /// Threads each rank runs rows on (hybrid ranks x threads), for thread-safe models.
    std::size_t threads_per_rank = 1;
    /// Rows per message. 0: guided, each message takes half a fair share of the rows not yet
    /// handed out (left / (2 ranks)): few messages early, single rows at the end of a batch.
    std::size_t chunk_rows = 0;
    /// Rank 0 (and its group) evaluates rows too, between handling messages. Off, it only
    /// distributes work, which answers idle ranks sooner when there are very many of them.
    bool root_evaluates = true;
    /// Every rank waits at the start of run() for all the others (and in MPI_Init_thread,
    /// when parnest initialises MPI). While it waits, it tells `logger` so this often, in
    /// seconds (0: never), since a run started on some ranks only (inside
    /// `if (parnest::is_root())`, say) would otherwise wait in silence.
    double wait_report_seconds = 30.0;
    /// Where a waiting rank says so (null: a StderrLogger). Sampler::run gives the pool it
    /// makes RunOptions::logger.
    std::shared_ptr<Logger> logger{};
  };

  /// All ranks of MPI_COMM_WORLD, one thread each.
  MpiPool();
  /// @throws ConfigError for options out of range (the same on every rank).
  explicit MpiPool(Options options);
  ~MpiPool() override;
  MpiPool(const MpiPool&) = delete;
  MpiPool& operator=(const MpiPool&) = delete;

  /// Evaluating processes: groups x threads per rank.
  std::size_t size() const noexcept override;
  /// On rank 0 only. @throws the lowest failing row's exception (its message names the rank
  /// that ran it); PoolError if a rank cannot rebuild the task (its recipe has no kind).
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override;
  std::string describe() const override;
  bool runs_threads_concurrently() const noexcept override;
  std::vector<std::string> take_warnings() override;

  bool leads() const noexcept override;
  void begin() override;
  std::vector<double> serve(const void* anchor) override;
  void release(const std::vector<double>& data) override;
  void abandon(std::exception_ptr error) noexcept override;

  /// This process's rank in the pool's communicator, and the communicator's size.
  int rank() const noexcept;
  /// The number of ranks in the pool's communicator.
  int ranks() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The communicator of the worker group running the current likelihood call (see
/// MpiPool::Options::group_size): all ranks of the group call the likelihood with the same
/// parameters at the same time. MPI_COMM_SELF outside a group evaluation or with groups of 1.
MPI_Comm group_communicator() noexcept;

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/mpi_pool.ipp"
#endif
