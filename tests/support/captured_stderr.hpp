#pragma once
// What a block of code writes to stderr (file descriptor 2), for tests of printed notes and
// warnings. Not for use from several threads at once.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

template <class F>
std::string captured_stderr(F&& run) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("parnest-stderr-" + std::to_string(::getpid()) + ".txt");
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  ::dup2(fd, 2);
  ::close(fd);
  try {
    run();
  } catch (...) {
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    throw;
  }
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return text;
}
