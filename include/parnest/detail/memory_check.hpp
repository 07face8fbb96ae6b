#pragma once
// Options whose arrays could never fit in memory are refused when they are given, with the
// sizes involved, rather than failing later with std::bad_alloc (or swapping for an hour).

#include <unistd.h>

#include <string>
#include <vector>

#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

/// This machine's physical memory in bytes; 0 if the system does not say.
inline double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

inline std::string gigabytes(double bytes) {
  return text(bytes / 1e9, 3) + " GB";
}

/// Above this many bytes of points a run says at its start what it holds: a mistyped n_live
/// (1e7 for 1e3) would otherwise swap or sit silent through its first fill for minutes.
constexpr double large_run_bytes = 1e9;

/// The least a backend keeps in memory: `count` points (set by its option `option`) of
/// `doubles_per_point` doubles each. Each backend says it in one place, for the check when its
/// options are validated and for the note when its run starts.
struct StoredPoints {
  std::string backend, option;
  double count, doubles_per_point;
  double bytes() const { return count * doubles_per_point * sizeof(double); }
};

/// Refuses the option behind `points` if they exceed the physical memory.
inline void check_fits_memory(const StoredPoints& points) {
  const double need = points.bytes(), have = physical_memory_bytes();
  if (have > 0.0 && need > have)
    invalid_option(points.backend, points.option, text(points.count),
                   "its points alone would need " + gigabytes(need) + ", more than the " +
                       gigabytes(have) + " of memory this machine has");
}

/// Above large_run_bytes, the note a run gives at its start: the memory and the calls before
/// its first step ends. Nothing below.
inline std::vector<std::string> large_run_note(const StoredPoints& points) {
  const double need = points.bytes(), have = physical_memory_bytes();
  if (!(need > large_run_bytes)) return {};
  return {points.backend + " " + points.option + " = " + text(points.count) + " keeps at least " +
          gigabytes(need) + " of points in memory (" +
          (have > 0.0 ? gigabytes(have) : std::string("unknown")) +
          " available), and its first step evaluates that many points before any progress line"};
}

}  // namespace parnest::detail
