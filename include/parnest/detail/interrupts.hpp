#pragma once
// SIGINT and SIGTERM during a run: the first asks the run to stop after its current batch
// (schedulers send SIGTERM before a time limit); a second ends the process at once.

namespace parnest::detail {

/// While a guard is alive, SIGINT and SIGTERM set a flag instead of ending the process; a
/// second signal restores the default action and ends it. The program's own handlers are put
/// back when the last guard goes. Guards may nest (runs on several threads share them).
class InterruptGuard {
 public:
  explicit InterruptGuard(bool enabled);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// The signal caught since the first guard was installed, or 0.
  int caught() const noexcept;

 private:
  bool enabled_;
};

/// The signal caught while a guard is alive, or 0: for long computations between batches (a
/// final bootstrap) that should stop when asked rather than make the scheduler wait.
int pending_interrupt() noexcept;

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/signals.ipp"
#endif
