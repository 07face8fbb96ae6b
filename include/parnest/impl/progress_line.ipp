#pragma once
// The status line (detail/progress_line.hpp): compiled once into libparnest
// (src/progress_line.cpp), or included by the header that declares it in header-only mode
// (PARNEST_HEADER_ONLY).
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/progress_line.hpp"
#include "parnest/env.hpp"

namespace parnest::detail {
namespace progress_impl {

PARNEST_INLINE std::string compact(double x) {
  char buffer[32];
  if (x >= 1e6)
    std::snprintf(buffer, sizeof buffer, "%.1fM", x / 1e6);
  else if (x >= 1e4)
    std::snprintf(buffer, sizeof buffer, "%.1fk", x / 1e3);
  else
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
  return buffer;
}

}  // namespace progress_impl

PARNEST_INLINE std::string format_progress(const Progress& p) {
  char buffer[256];
  const auto s = static_cast<long>(p.elapsed_seconds);
  std::snprintf(
      buffer, sizeof buffer,
      "parnest: %s  it %zu  calls %s (%s/s)  eff %.3f  log Z %.3f  %s %.3g (target %.3g)  "
      "%ld:%02ld:%02ld",
      p.sampler.c_str(), p.iteration, progress_impl::compact(static_cast<double>(p.n_like)).c_str(),
      progress_impl::compact(p.calls_per_second).c_str(), p.efficiency, p.log_z,
      p.remaining_name.c_str(), p.remaining, p.target, s / 3600, s / 60 % 60, s % 60);
  return buffer;
}

PARNEST_INLINE ProgressReporter::ProgressReporter(bool print, double every,
                                                  std::function<void(const Progress&)> callback,
                                                  std::size_t calls_at_start)
    : print_(print && is_root()),
      terminal_(::isatty(STDERR_FILENO) == 1),
      every_(every > 0 ? every : (terminal_ ? 1.0 : 30.0)),
      callback_(std::move(callback)),
      start_(std::chrono::steady_clock::now()),
      last_(start_),
      calls_at_start_(calls_at_start) {}

PARNEST_INLINE bool ProgressReporter::due() const {
  return (print_ || callback_) && std::chrono::steady_clock::now() - last_ >= every_;
}

PARNEST_INLINE void ProgressReporter::update(Progress p) {
  report(p, true);
}

PARNEST_INLINE void ProgressReporter::finish(Progress p) {
  p.finished = true;
  report(p, /*print=*/printed_);  // short runs that printed nothing stay quiet
  if (printed_live_) std::fputc('\n', stderr);
}

PARNEST_INLINE const char* ProgressReporter::break_line() {
  if (!printed_live_) return "";
  printed_live_ = false;  // the next update draws a new live line below the message
  return "\n";
}

PARNEST_INLINE void ProgressReporter::report(Progress& p, bool print) {
  last_ = std::chrono::steady_clock::now();
  p.elapsed_seconds = std::chrono::duration<double>(last_ - start_).count();
  p.calls_per_second = p.elapsed_seconds > 0
                           ? static_cast<double>(p.n_like - calls_at_start_) / p.elapsed_seconds
                           : 0.0;
  if (callback_) callback_(p);
  if (!print_ || !print) return;
  const std::string line = format_progress(p);
  printed_ = true;
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    printed_live_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace parnest::detail
