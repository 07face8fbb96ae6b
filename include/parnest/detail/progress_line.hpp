#pragma once
// The text of the status line that the default logger prints (StderrLogger).

#include <string>

#include "parnest/progress.hpp"

namespace parnest::detail {

/// "parnest: sequential  it 1200  calls 34.6k (12.3k/s)  eff 0.210  log Z -12.345
///  dlogz 1.2 (target 0.1)  1:02:05" (one line)
std::string format_progress(const Progress& p);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/progress_line.ipp"
#endif
