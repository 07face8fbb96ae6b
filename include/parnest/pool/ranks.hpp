#pragma once
/// @file pool/ranks.hpp
/// Pools whose workers are other copies of the program (MPI ranks): every copy calls
/// Sampler::run, one of them (the leader) runs the algorithm, the others serve its batches.

#include <exception>
#include <vector>

#include "parnest/pool/pool.hpp"

namespace parnest {

/// A pool spread over the processes of a parallel job. Its session() runs the algorithm on the
/// leader, which maps batches and ends with release() (or abandon() if it fails); every other
/// process calls serve(), which returns what the leader released, so that every process leaves
/// Sampler::run with the same Result or the same exception.
class RankPool : public Pool {
 public:
  /// True on the one process that runs the algorithm (rank 0 of the pool's communicator).
  virtual bool leads() const noexcept = 0;
  /// Called by session() on every process first; returns once all of them have called it.
  /// A process that never calls run() (a run started on rank 0 only) must not leave the
  /// others waiting in silence: say so while waiting.
  virtual void begin() = 0;
  /// On the other processes: runs the rows the leader sends, rebuilding its tasks from their
  /// recipes by TaskRecipe::kind with `anchor` (this process's copy of the task's anchor: its
  /// Problem), until the leader calls release() or abandon().
  /// @returns the data given to release(). @throws the exception given to abandon().
  virtual std::vector<double> serve(const void* anchor) = 0;
  /// On the leader: ends serve() on the other processes, which return `data`.
  virtual void release(const std::vector<double>& data) = 0;
  /// On the leader: ends serve() on the other processes by throwing `error` there (the same
  /// parnest exception type, message and values). Never throws.
  virtual void abandon(std::exception_ptr error) noexcept = 0;
  /// Every process calls begin(); the leader runs `run.lead` (speaking for the run) and ends
  /// with release() or abandon(), the others serve() and return the leader's Result or throw
  /// its exception.
  Result session(const RunSession& run) final;
};

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/ranks.ipp"
#endif
