#pragma once
// The status line of a run: throttled, on the root process, to stderr (a live line on a
// terminal, one line per update in a log file), and the user's progress callback.

#include <chrono>
#include <functional>
#include <string>

#include "parnest/progress.hpp"

namespace parnest::detail {

class ProgressReporter {
 public:
  /// `every` seconds between updates; 0 picks 1 s on a terminal and 30 s otherwise.
  /// `calls_at_start`: likelihood calls already made (a resumed run), left out of the rate.
  ProgressReporter(bool print, double every, std::function<void(const Progress&)> callback,
                   std::size_t calls_at_start);
  /// True when the interval has passed since the last report (or the start) and someone
  /// listens: the caller then builds a snapshot for update().
  bool due() const;
  /// Reports `p` (call when due()).
  void update(Progress p);
  /// Reports the last snapshot (callback) and ends a live line.
  void finish(Progress p);
  /// "\n" if a live line is showing (a message printed now must start below it), else "".
  const char* break_line();

 private:
  void report(Progress& p, bool print);
  bool print_;
  bool terminal_;
  std::chrono::duration<double> every_;
  std::function<void(const Progress&)> callback_;
  std::chrono::steady_clock::time_point start_, last_;
  std::size_t calls_at_start_;
  bool printed_ = false, printed_live_ = false;
};

/// "parnest: sequential  it 1200  calls 34.6k (12.3k/s)  eff 0.210  log Z -12.345
///  dlogz 1.2 (target 0.1)  1:02:05" (one line)
std::string format_progress(const Progress& p);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/progress_line.ipp"
#endif
