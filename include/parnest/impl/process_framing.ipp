#pragma once
// ProcessPool's framing (part of impl/process_pool.ipp, in namespace detail::process_impl):
// messages between the parent and a worker over their socket.
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "parnest/detail/inline.hpp"
#include "parnest/error.hpp"

namespace parnest::detail::process_impl {

// ---------------------------------------------------------------------------------------------
// Framing: every message is a header (kind, payload size) and a payload of fixed-size fields
// and arrays of doubles, sent with one sendmsg() where possible.

enum class Frame : std::uint64_t { context = 1, rows, ready, done, failed, setup_failed };

struct Header {
  Frame kind;
  std::uint64_t bytes;
};

/// A payload under construction.
class Payload {
 public:
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    // resize and copy rather than insert: GCC 12 warns falsely (-Wstringop-overflow) about
    // an insert of a few bytes into a vector that starts empty
    const std::size_t at = bytes_.size();
    bytes_.resize(at + sizeof value);
    std::memcpy(bytes_.data() + at, &value, sizeof value);
  }
  void put(std::string_view text) {
    put(std::uint64_t{text.size()});
    bytes_.insert(bytes_.end(), text.begin(), text.end());
  }
  void put(std::span<const double> values) {
    put(std::uint64_t{values.size()});
    const auto* p = reinterpret_cast<const char*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size_bytes());
  }
  const std::vector<char>& bytes() const noexcept { return bytes_; }

 private:
  std::vector<char> bytes_;
};

/// Reads a received payload in the order it was built. A short payload is a protocol error.
class PayloadReader {
 public:
  explicit PayloadReader(const std::vector<char>& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    const char* p = take(n);
    return std::string(p, n);
  }
  std::vector<double> get_doubles() {
    const auto n = get<std::uint64_t>();
    std::vector<double> values(n);
    std::memcpy(values.data(), take(n * sizeof(double)), n * sizeof(double));
    return values;
  }
  /// The rest of the payload as `n` doubles, copied into `out`.
  void get_doubles_into(double* out, std::size_t n) {
    std::memcpy(out, take(n * sizeof(double)), n * sizeof(double));
  }

 private:
  const char* take(std::size_t n) {
    if (bytes_.size() - at_ < n)
      throw PoolError("ProcessPool: a message from a worker is shorter than its fields (" +
                      std::to_string(bytes_.size()) + " bytes)");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  const std::vector<char>& bytes_;
  std::size_t at_ = 0;
};

/// Sends a header and the given parts as one message. False if the peer is gone.
PARNEST_INLINE bool send_frame(int fd, Frame kind,
                               std::initializer_list<std::span<const char>> parts) {
  Header header{kind, 0};
  for (const auto& part : parts) header.bytes += part.size();
  std::vector<iovec> pieces;
  pieces.push_back({&header, sizeof header});
  for (const auto& part : parts)
    if (!part.empty()) pieces.push_back({const_cast<char*>(part.data()), part.size()});
  std::size_t piece = 0;
  while (piece < pieces.size()) {
    msghdr message{};
    message.msg_iov = pieces.data() + piece;
    message.msg_iovlen = pieces.size() - piece;
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) return false;
    // Skip what was sent: whole pieces, then the start of a partly sent one.
    auto left = static_cast<std::size_t>(sent);
    while (piece < pieces.size() && left >= pieces[piece].iov_len) left -= pieces[piece++].iov_len;
    if (piece < pieces.size()) {
      pieces[piece].iov_base = static_cast<char*>(pieces[piece].iov_base) + left;
      pieces[piece].iov_len -= left;
    }
  }
  return true;
}

PARNEST_INLINE std::span<const char> as_bytes(const std::vector<char>& v) {
  return {v.data(), v.size()};
}
PARNEST_INLINE std::span<const char> as_bytes(const double* data, std::size_t n) {
  return {reinterpret_cast<const char*>(data), n * sizeof(double)};
}

/// Reads exactly n bytes. False on end of stream or error (the peer is gone).
PARNEST_INLINE bool read_exactly(int fd, char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::recv(fd, out + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

/// Receives one message into `payload`. False if the peer is gone.
PARNEST_INLINE bool receive_frame(int fd, Frame& kind, std::vector<char>& payload) {
  Header header{};
  if (!read_exactly(fd, reinterpret_cast<char*>(&header), sizeof header)) return false;
  kind = header.kind;
  payload.resize(header.bytes);
  return read_exactly(fd, payload.data(), header.bytes);
}

}  // namespace parnest::detail::process_impl
