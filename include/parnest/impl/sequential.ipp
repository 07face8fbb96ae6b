#pragma once
// parnest::Sequential: what it forwards to detail::SequentialRun. Compiled
// once into libparnest (src/sequential.cpp), or included by backend/sequential.hpp in header-only
// mode.

#include "parnest/backend/sequential.hpp"
#include "parnest/detail/inline.hpp"
#include "parnest/detail/sequential_run.hpp"
#include "parnest/impl/run_handle.ipp"

namespace parnest {

PARNEST_INLINE void Sequential::validate(const Options& o, std::size_t dimension) {
  detail::SequentialRun::validate(o, dimension);
}

PARNEST_INLINE std::vector<std::pair<std::string, std::string>> Sequential::describe(
    const Options& o, std::size_t dimension) {
  return detail::SequentialRun::describe(o, dimension);
}

PARNEST_INLINE Sequential::Sequential(const detail::Problem& problem, const Options& options,
                                      std::uint64_t seed)
    : RunHandle(std::make_unique<detail::SequentialRun>(problem, options, seed)) {}

}  // namespace parnest
