#pragma once
// Files shared between a test and the processes it starts (forked workers, child runs).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace parnest::testing {

/// A fresh, empty directory unique to this test process.
inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("parnest-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// True for the first caller in any process (O_EXCL makes creating `marker` atomic).
inline bool first_time(const std::filesystem::path& marker) {
  const int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace parnest::testing
