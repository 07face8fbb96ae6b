#include <signal.h>

#include <atomic>
#include <mutex>

#include "parnest/detail/interrupts.hpp"

namespace parnest::detail {
namespace {

std::atomic<int> caught_signal{0};
std::mutex install_mutex;
int guards = 0;
struct sigaction previous_int {
}, previous_term{};

extern "C" void on_interrupt(int sig) {
  int none = 0;
  if (caught_signal.compare_exchange_strong(none, sig)) return;
  // The second signal: the default action, delivered as soon as this handler returns.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

InterruptGuard::InterruptGuard(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  std::lock_guard lock(install_mutex);
  if (guards++ > 0) return;
  caught_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &previous_int);
  ::sigaction(SIGTERM, &action, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  if (!enabled_) return;
  std::lock_guard lock(install_mutex);
  if (--guards > 0) return;
  ::sigaction(SIGINT, &previous_int, nullptr);
  ::sigaction(SIGTERM, &previous_term, nullptr);
}

int InterruptGuard::caught() const noexcept {
  return enabled_ ? caught_signal.load() : 0;
}

}  // namespace parnest::detail
