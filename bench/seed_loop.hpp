#pragma once
// What the multi-seed benchmarks (parnest_calibrate, parnest_bench_batch_hard) share: their rows
// reach a redirected file as they are printed, and Ctrl-C or a scheduler's SIGTERM ends the whole
// benchmark instead of counting as one failed seed and going on to the next.
#include <cstdio>

#include <parnest/error.hpp>

namespace parnest::bench {

/// Line-buffers stdout: a benchmark redirected to a file otherwise loses every row printed so
/// far when it is killed (a 55-minute calibration once left nothing behind).
inline void line_buffered_output() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
}

/// Runs `body` (main's work) and turns an interrupt into the exit status a shell expects.
template <class Body>
int exit_status_of(const char* program, Body&& body) {
  try {
    return body();
  } catch (const parnest::Interrupted& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: stopped: %s\n", program, e.what());
    return 128 + e.signal();
  }
}

}  // namespace parnest::bench
