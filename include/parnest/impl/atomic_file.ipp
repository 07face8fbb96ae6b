#pragma once
// detail::write_atomically: compiled once into libparnest (src/atomic_file.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include "parnest/detail/atomic_file.hpp"
#include "parnest/detail/inline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "parnest/error.hpp"

namespace parnest::detail {

// Write to a temporary file beside the target, fsync, then rename: readers see the old file
// or the complete new one, never a partial one.
PARNEST_INLINE void write_atomically(const std::filesystem::path& path, std::string_view text,
                                     bool keep_previous) {
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw IoError("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  }
  const std::string tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
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
