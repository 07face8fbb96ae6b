#pragma once
// Asking a run to stop after its current batch: SIGINT and SIGTERM (schedulers send SIGTERM
// before a time limit; a second signal ends the process at once), or RunOptions::stop, a
// std::stop_token that another thread or a callback can trigger.

#include <stop_token>
#include <string>

namespace parnest::detail {

/// Why a run was asked to stop, if it was.
struct Interrupt {
  int signal = 0;          ///< SIGINT or SIGTERM, or 0
  bool requested = false;  ///< RunOptions::stop was triggered
  explicit operator bool() const noexcept { return signal != 0 || requested; }
  /// "signal 15 (SIGTERM)", or "a stop request (RunOptions::stop)".
  std::string cause() const;
};

/// While a guard is alive, SIGINT and SIGTERM (if `handle_signals`) set a flag instead of
/// ending the process; a second signal restores the default action and ends it. The
/// program's own handlers are put back when the last guard goes. Guards may nest (runs on
/// several threads share the signal handlers).
class InterruptGuard {
 public:
  InterruptGuard(bool handle_signals, std::stop_token stop);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// A signal caught since the first guard was installed, or a stop request.
  Interrupt caught() const noexcept;

 private:
  bool handle_signals_;
  std::stop_token stop_;
  const InterruptGuard* outer_;  // the guard this one hides on this thread
};

/// What the innermost guard on this thread has caught: for long computations between batches
/// (a final bootstrap) that should stop when asked rather than make the scheduler wait.
Interrupt pending_interrupt() noexcept;

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/signals.ipp"
#endif
