#pragma once
// detail::RunLog (detail/run_log.hpp): compiled once into libparnest (src/run_log.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include <unistd.h>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/run_log.hpp"

namespace parnest::detail {

PARNEST_INLINE RunLog::RunLog(std::shared_ptr<Logger> logger, bool status, double every,
                              std::function<void(const Progress&)> callback)
    : logger_(logger ? std::move(logger) : std::make_shared<StderrLogger>()),
      status_(status),
      every_(every > 0 ? every : (::isatty(STDERR_FILENO) == 1 ? 1.0 : 30.0)),
      callback_(std::move(callback)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

PARNEST_INLINE void RunLog::speak(bool speaks) {
  speaks_ = speaks;
}

PARNEST_INLINE void RunLog::note(const std::string& text) {
  if (speaks_) tell(LogLevel::note, text);
}

PARNEST_INLINE void RunLog::warning(const std::string& text) {
  if (speaks_) tell(LogLevel::warning, text);
}

PARNEST_INLINE void RunLog::local_warning(const std::string& text) {
  tell(LogLevel::warning, text);
}

PARNEST_INLINE void RunLog::tell(LogLevel level, const std::string& text) {
  std::lock_guard lock(mutex_);
  logger_->message(level, text);
}

PARNEST_INLINE void RunLog::start(std::size_t calls_at_start) {
  start_ = last_ = std::chrono::steady_clock::now();
  calls_at_start_ = calls_at_start;
}

PARNEST_INLINE bool RunLog::due() const {
  return ((status_ && speaks_) || callback_) && std::chrono::steady_clock::now() - last_ >= every_;
}

PARNEST_INLINE void RunLog::update(Progress p) {
  report(p);
}

PARNEST_INLINE void RunLog::finish(Progress p) {
  p.finished = true;
  report(p);
}

PARNEST_INLINE void RunLog::report(Progress& p) {
  last_ = std::chrono::steady_clock::now();
  p.elapsed_seconds = std::chrono::duration<double>(last_ - start_).count();
  p.calls_per_second = p.elapsed_seconds > 0
                           ? static_cast<double>(p.n_like - calls_at_start_) / p.elapsed_seconds
                           : 0.0;
  if (callback_) callback_(p);
  if (!status_ || !speaks_) return;
  std::lock_guard lock(mutex_);
  logger_->progress(p);
}

}  // namespace parnest::detail
