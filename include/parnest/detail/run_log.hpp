#pragma once
// What a run says, and to whom: its notes, warnings and throttled status go to the logger of
// RunOptions (a StderrLogger if none) on the process that speaks for the run, and to the
// on_progress callback.
// Calls may come from a watcher thread (RowWatch); the logger sees them one at a time.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "parnest/log.hpp"
#include "parnest/progress.hpp"

namespace parnest::detail {

class RunLog {
 public:
  /// `logger` null: a StderrLogger. `status`: pass the status to the logger (RunOptions::
  /// progress) while this process speaks for the run. `every` seconds between status updates; 0
  /// picks 1 s when stderr is a terminal and 30 s otherwise.
  RunLog(std::shared_ptr<Logger> logger, bool status, double every,
         std::function<void(const Progress&)> callback);

  /// Whether this process speaks for the run (Pool::session): the one that tells the run's
  /// notes, warnings and status. None does until told.
  void speak(bool speaks);

  /// A note or warning of the run, told by the process that speaks for it only.
  void note(const std::string& text);
  void warning(const std::string& text);
  /// A warning about this process (a call past row_timeout), told wherever it happens.
  void local_warning(const std::string& text);

  /// Starts the clock of the status; `calls_at_start` (a resumed run's) stay out of the rate.
  void start(std::size_t calls_at_start);
  /// True when the interval has passed since the last update (or the start) and someone
  /// listens: the caller then builds a snapshot for update().
  bool due() const;
  void update(Progress p);
  /// The last snapshot, with Progress::finished set.
  void finish(Progress p);

 private:
  void tell(LogLevel level, const std::string& text);
  void report(Progress& p);

  std::shared_ptr<Logger> logger_;
  std::mutex mutex_;
  bool speaks_ = false, status_;
  std::chrono::duration<double> every_;
  std::function<void(const Progress&)> callback_;
  std::chrono::steady_clock::time_point start_, last_;
  std::size_t calls_at_start_ = 0;
};

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/run_log.ipp"
#endif
