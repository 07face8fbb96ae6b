#pragma once
// parnest::Smc: what it forwards to detail::SmcRun. Compiled once
// into libparnest (src/smc.cpp), or included by backend/smc.hpp in header-only mode.

#include "parnest/backend/smc.hpp"
#include "parnest/detail/inline.hpp"
#include "parnest/detail/smc_run.hpp"
#include "parnest/impl/run_handle.ipp"

namespace parnest {

PARNEST_INLINE void Smc::validate(const Options& o, std::size_t dimension) {
  detail::SmcRun::validate(o, dimension);
}

PARNEST_INLINE std::vector<std::pair<std::string, std::string>> Smc::describe(
    const Options& o, std::size_t dimension) {
  return detail::SmcRun::describe(o, dimension);
}

PARNEST_INLINE Smc::Smc(const detail::Problem& problem, const Options& options, std::uint64_t seed)
    : RunHandle(std::make_unique<detail::SmcRun>(problem, options, seed)) {}

}  // namespace parnest
