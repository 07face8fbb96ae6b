#pragma once
// The status line's text (detail/progress_line.hpp): compiled once into libparnest
// (src/progress_line.cpp), or included by the header that declares it in header-only mode
// (PARNEST_HEADER_ONLY).
#include <cmath>
#include <cstdio>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/progress_line.hpp"
#include "parnest/detail/text.hpp"

namespace parnest::detail {
namespace progress_impl {

PARNEST_INLINE std::string compact(double x) {
  if (x >= 1e6) return fixed(x / 1e6, 1) + "M";
  if (x >= 1e4) return fixed(x / 1e3, 1) + "k";
  return fixed(x, 0);
}

}  // namespace progress_impl

PARNEST_INLINE std::string format_progress(const Progress& p) {
  char buffer[256];
  const auto s = static_cast<long>(p.elapsed_seconds);
  std::snprintf(
      buffer, sizeof buffer,
      "parnest: %s  it %zu  calls %s (%s/s)  eff %.3f  log Z %.3f  %s %.3g (target %.3g)  "
      "%ld:%02ld:%02ld",
      p.sampler.c_str(), p.iteration, progress_impl::compact(static_cast<double>(p.n_like)).c_str(),
      progress_impl::compact(p.calls_per_second).c_str(), p.efficiency, p.log_z,
      p.remaining_name.c_str(), p.remaining, p.target, s / 3600, s / 60 % 60, s % 60);
  return buffer;
}

}  // namespace parnest::detail
