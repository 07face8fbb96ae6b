#pragma once
// detail::InterruptGuard (detail/interrupts.hpp): compiled once into libparnest (src/signals.cpp),
// or included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include <signal.h>

#include <atomic>
#include <mutex>
#include <string>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/interrupts.hpp"

namespace parnest::detail {
namespace interrupt_state {

// One set for the process, also when several translation units include this (header-only).
inline std::atomic<int> caught_signal{0};
inline std::mutex install_mutex;
inline int guards = 0;
inline struct sigaction previous_int {
}, previous_term{};
// The guard of the run on this thread, for pending_interrupt().
inline thread_local const InterruptGuard* innermost = nullptr;

extern "C" PARNEST_INLINE void parnest_on_interrupt(int sig) {
  int none = 0;
  if (caught_signal.compare_exchange_strong(none, sig)) return;
  // The second signal: the default action, delivered as soon as this handler returns.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace interrupt_state

PARNEST_INLINE std::string Interrupt::cause() const {
  if (signal == 0) return "a stop request (RunOptions::stop)";
  return "signal " + std::to_string(signal) + " (" +
         (signal == SIGINT    ? "SIGINT"
          : signal == SIGTERM ? "SIGTERM"
                              : "?") +
         ")";
}

PARNEST_INLINE InterruptGuard::InterruptGuard(bool handle_signals, std::stop_token stop)
    : handle_signals_(handle_signals), stop_(std::move(stop)), outer_(interrupt_state::innermost) {
  using namespace interrupt_state;
  innermost = this;
  if (!handle_signals_) return;
  std::lock_guard lock(install_mutex);
  if (guards++ > 0) return;
  caught_signal = 0;
  struct sigaction action {};
  action.sa_handler = parnest_on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &previous_int);
  ::sigaction(SIGTERM, &action, &previous_term);
}

PARNEST_INLINE InterruptGuard::~InterruptGuard() {
  using namespace interrupt_state;
  innermost = outer_;
  if (!handle_signals_) return;
  std::lock_guard lock(install_mutex);
  if (--guards > 0) return;
  ::sigaction(SIGINT, &previous_int, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
}

PARNEST_INLINE Interrupt InterruptGuard::caught() const noexcept {
  return {handle_signals_ ? interrupt_state::caught_signal.load() : 0, stop_.stop_requested()};
}

PARNEST_INLINE Interrupt pending_interrupt() noexcept {
  const InterruptGuard* guard = interrupt_state::innermost;
  return guard ? guard->caught() : Interrupt{};
}

}  // namespace parnest::detail
