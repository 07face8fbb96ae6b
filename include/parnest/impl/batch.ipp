#pragma once
// parnest::Batch: what it forwards to detail::BatchRun. Compiled once
// into libparnest (src/batch.cpp), or included by backend/batch.hpp in header-only mode.

#include "parnest/backend/batch.hpp"
#include "parnest/detail/batch_run.hpp"
#include "parnest/detail/inline.hpp"
#include "parnest/impl/run_handle.ipp"

namespace parnest {

PARNEST_INLINE void Batch::validate(const Options& o, std::size_t dimension) {
  detail::BatchRun::validate(o, dimension);
}

PARNEST_INLINE std::vector<std::pair<std::string, std::string>> Batch::describe(
    const Options& o, std::size_t dimension) {
  return detail::BatchRun::describe(o, dimension);
}

PARNEST_INLINE Batch::Batch(const detail::Problem& problem, const Options& options,
                            std::uint64_t seed)
    : RunHandle(std::make_unique<detail::BatchRun>(problem, options, seed)) {}

}  // namespace parnest
