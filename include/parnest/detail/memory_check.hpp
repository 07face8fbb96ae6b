#pragma once
// Options whose arrays could never fit in memory are refused when they are given, with the
// sizes involved, rather than failing later with std::bad_alloc (or swapping for an hour).

#include <unistd.h>

#include <cstdio>
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
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g GB", bytes / 1e9);
  return buffer;
}

/// Above this many bytes of points a run says at its start what it holds: a mistyped n_live
/// (1e7 for 1e3) would otherwise swap or sit silent through its first fill for minutes.
constexpr double large_run_bytes = 1e9;

/// Refuses `option` = `count` of `backend` if `count` points of `doubles_per_point` doubles
/// each, the least the backend stores, exceed the physical memory.
inline void check_fits_memory(const std::string& backend, const std::string& option, double count,
                              double doubles_per_point) {
  const double need = count * doubles_per_point * sizeof(double), have = physical_memory_bytes();
  if (have > 0.0 && need > have)
    invalid_option(backend, option, text(count),
                   "its points alone would need " + gigabytes(need) + ", more than the " +
                       gigabytes(have) + " of memory this machine has");
}

/// Above large_run_bytes, the note a run gives at its start: the memory and the calls before
/// its first step ends. Nothing below.
inline std::vector<std::string> large_run_note(const std::string& backend,
                                               const std::string& option, double count,
                                               double doubles_per_point) {
  const double need = count * doubles_per_point * sizeof(double), have = physical_memory_bytes();
  if (!(need > large_run_bytes)) return {};
  return {backend + " " + option + " = " + text(count) + " keeps at least " + gigabytes(need) +
          " of points in memory (" + (have > 0.0 ? gigabytes(have) : std::string("unknown")) +
          " available), and its first step evaluates that many points before any progress line"};
}

}  // namespace parnest::detail
