#pragma once
// detail::InterruptGuard (detail/interrupts.hpp): compiled once into libparnest (src/signals.cpp),
// or included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include <signal.h>

#include <atomic>
#include <mutex>

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

extern "C" PARNEST_INLINE void parnest_on_interrupt(int sig) {
  int none = 0;
  if (caught_signal.compare_exchange_strong(none, sig)) return;
  // The second signal: the default action, delivered as soon as this handler returns.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace interrupt_state

PARNEST_INLINE InterruptGuard::InterruptGuard(bool enabled) : enabled_(enabled) {
  using namespace interrupt_state;
  if (!enabled_) return;
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
  if (!enabled_) return;
  std::lock_guard lock(install_mutex);
  if (--guards > 0) return;
  ::sigaction(SIGINT, &previous_int, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
}

PARNEST_INLINE int InterruptGuard::caught() const noexcept {
  return enabled_ ? interrupt_state::caught_signal.load() : 0;
}

PARNEST_INLINE int pending_interrupt() noexcept {
  using namespace interrupt_state;
  std::lock_guard lock(install_mutex);
  return guards > 0 ? caught_signal.load() : 0;
}

}  // namespace parnest::detail
