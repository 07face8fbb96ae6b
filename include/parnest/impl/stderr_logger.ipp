#pragma once
// parnest::StderrLogger (log.hpp), the default logger: compiled once into libparnest
// (src/stderr_logger.cpp), or included by log.hpp in header-only mode (PARNEST_HEADER_ONLY).
// The only place where parnest writes to stderr.
#include <unistd.h>

#include <cstdio>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/progress_line.hpp"
#include "parnest/log.hpp"

namespace parnest {

PARNEST_INLINE void Logger::progress(const Progress&) {}

PARNEST_INLINE StderrLogger::StderrLogger() : terminal_(::isatty(STDERR_FILENO) == 1) {}

PARNEST_INLINE void StderrLogger::message(LogLevel level, const std::string& text) {
  // A live status line is showing: the message starts below it, and the next status is drawn
  // on a new line under the message.
  const char* below = printed_live_ ? "\n" : "";
  printed_live_ = false;
  std::fprintf(stderr, "%sparnest: %s: %s\n", below,
               level == LogLevel::warning ? "warning" : "note", text.c_str());
  std::fflush(stderr);
}

PARNEST_INLINE void StderrLogger::progress(const Progress& status) {
  if (status.finished && !printed_) return;  // a short run that printed nothing stays quiet
  const std::string line = detail::format_progress(status);
  printed_ = true;
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), status.finished ? "\n" : "");
    printed_live_ = !status.finished;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace parnest
