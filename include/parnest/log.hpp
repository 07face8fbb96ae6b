#pragma once
/// @file log.hpp
/// Where a run's messages go: notes, warnings and the status line (RunOptions::logger).

#include <memory>
#include <string>

#include "parnest/progress.hpp"

namespace parnest {

/// What a message is.
enum class LogLevel {
  note,     ///< worth knowing while the run goes on (a slow exploration, a large allocation)
  warning,  ///< the result may be affected; the same text is in Result::warnings
};

/// Receives what a run has to say. Sampler::run calls it on the root process (rank 0) for the
/// run's notes, warnings and status; a process calls its own logger for what happens there
/// (a likelihood call past RunOptions::row_timeout, an MPI rank waiting for the others),
/// possibly from a watcher thread. parnest never calls one logger from two threads at once.
///
/// @code
/// struct ToMyLog : parnest::Logger {
///   void message(parnest::LogLevel level, const std::string& text) override {
///     my_log(level == parnest::LogLevel::warning ? "WARN" : "INFO", text);
///   }
/// };
/// sampler.run({.logger = std::make_shared<ToMyLog>()});
/// @endcode
class Logger {
 public:
  virtual ~Logger() = default;
  /// One message, without a prefix or a trailing newline.
  virtual void message(LogLevel level, const std::string& text) = 0;
  /// The run's status every RunOptions::progress_every seconds while RunOptions::progress is
  /// set, and once at the end (`status.finished`). The default ignores it.
  virtual void progress(const Progress& status);
};

/// The default logger: "parnest: note: ..." and "parnest: warning: ..." lines on stderr, and
/// the status line, drawn in place on a terminal and one line per update otherwise (log
/// files). A run shorter than one update prints no status at all.
class StderrLogger : public Logger {
 public:
  StderrLogger();
  void message(LogLevel level, const std::string& text) override;
  void progress(const Progress& status) override;

 private:
  bool terminal_;
  bool printed_ = false, printed_live_ = false;
};

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/stderr_logger.ipp"
#endif
