#pragma once
// RankPool::session (pool/ranks.hpp): compiled once into libparnest (src/ranks.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include <exception>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/interrupts.hpp"
#include "parnest/detail/result_flat.hpp"
#include "parnest/pool/ranks.hpp"

namespace parnest {

PARNEST_INLINE Result RankPool::session(const RunSession& run) {
  begin();
  if (!leads()) {
    // The leader decides what a signal does; here it must not end the process.
    detail::InterruptGuard interrupts(run.handle_signals, {});
    Result result = detail::unflatten(serve(run.anchor));
    result.writes_output = false;  // the leader writes it
    return result;
  }
  Result result;
  try {
    result = run.lead(true);
  } catch (...) {
    abandon(std::current_exception());
    throw;
  }
  release(detail::flatten(result));
  return result;
}

}  // namespace parnest
