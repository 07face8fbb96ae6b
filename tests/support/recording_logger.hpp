#pragma once
// A logger that keeps what a run tells it, for tests of notes, warnings and status.

#include <parnest/log.hpp>

#include <memory>
#include <string>
#include <vector>

namespace parnest::testing {

class RecordingLogger : public Logger {
 public:
  void message(LogLevel level, const std::string& text) override {
    lines.push_back((level == LogLevel::warning ? "warning: " : "note: ") + text);
  }
  void progress(const Progress& status) override { statuses.push_back(status); }

  /// Every message, one per line, as "note: ..." or "warning: ...".
  std::string text() const {
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    return all;
  }

  std::vector<std::string> lines;
  std::vector<Progress> statuses;
};

}  // namespace parnest::testing
