#pragma once
// detail::write_atomically: compiled once into libparnest (src/atomic_file.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include "parnest/detail/atomic_file.hpp"
#include "parnest/detail/inline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "parnest/error.hpp"

namespace parnest::detail {

// Creates the directory of `path` if needed and opens `tmp`, the temporary file beside it.
PARNEST_INLINE int open_temporary(const std::filesystem::path& path, const std::string& tmp) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError("cannot write " + path.string() + ": it is a directory");
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw IoError("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  }
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  return fd;
}

PARNEST_INLINE std::string temporary_beside(const std::filesystem::path& path) {
  return path.string() + ".tmp-" + std::to_string(::getpid());
}

// Removes the temporary files beside `path` that writers killed mid-write left behind: those
// whose process id no longer exists on this machine.
PARNEST_INLINE void remove_stale_temporaries(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const std::string prefix = path.filename().string() + ".tmp-";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix) || name.size() == prefix.size()) continue;
    const std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const long pid = std::strtol(digits.c_str(), nullptr, 10);
    std::error_code ignored;  // another run may remove it first
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      std::filesystem::remove(it->path(), ignored);
  }
}

PARNEST_INLINE void check_writable(const std::filesystem::path& path) {
  const std::string tmp = temporary_beside(path);
  ::close(open_temporary(path, tmp));
  ::unlink(tmp.c_str());
  remove_stale_temporaries(path);
}

// Write to a temporary file beside the target, fsync, then rename: readers see the old file
// or the complete new one, never a partial one.
PARNEST_INLINE void write_atomically(const std::filesystem::path& path, std::string_view text,
                                     bool keep_previous) {
  const std::string tmp = temporary_beside(path);
  const int fd = open_temporary(path, tmp);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError("cannot write " + tmp + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot flush " + tmp + " to disk: " + std::strerror(err));
  }
  if (keep_previous) {
    // A hard link keeps the old file as path.prev while `path` itself never goes missing.
    const std::string previous = path.string() + ".prev";
    ::unlink(previous.c_str());
    if (::link(path.c_str(), previous.c_str()) != 0 && errno != ENOENT) {
      const int err = errno;
      ::unlink(tmp.c_str());
      throw IoError("cannot keep the previous " + path.string() + " as " + previous + ": " +
                    std::strerror(err));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot rename " + tmp + " to " + path.string() + ": " + std::strerror(err));
  }
}

}  // namespace parnest::detail
