#pragma once
// The launcher pool's registry: compiled once into libparnest (src/launcher_pool.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include <atomic>
#include <string>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/launcher_pool.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

namespace launcher_pool_impl {
// One for the process, also when several translation units include this (header-only).
inline std::atomic<LauncherPoolMaker> maker{nullptr};
}  // namespace launcher_pool_impl

PARNEST_INLINE bool register_launcher_pool(LauncherPoolMaker make) noexcept {
  launcher_pool_impl::maker = make;
  return true;
}

PARNEST_INLINE bool built_with_mpi() noexcept {
  return launcher_pool_impl::maker.load() != nullptr;
}

PARNEST_INLINE std::shared_ptr<Pool> launcher_pool(const Environment& env,
                                                   std::size_t threads_per_rank,
                                                   const std::shared_ptr<Pool>& previous,
                                                   std::shared_ptr<Logger> logger) {
  if (const LauncherPoolMaker make = launcher_pool_impl::maker.load())
    return make(env, threads_per_rank, previous, std::move(logger));
  // Refused on every rank: each would otherwise run the whole sampling on its own and write
  // the same files.
  const std::string where = "this process is rank " + std::to_string(env.rank) + " of " +
                            std::to_string(env.size) + " started by " + env.launcher;
#ifdef PARNEST_MPI_COMPONENT_BUILT
  throw ConfigError(where +
                    ", but this program does not link parnest's MPI component: link "
                    "parnest::mpi instead of parnest::parnest (target_link_libraries(your_fit "
                    "PRIVATE parnest::mpi)), or run the program without an MPI launcher (it then "
                    "uses threads)");
#else
  throw ConfigError(where +
                    ", but this parnest was built without MPI: install libopenmpi-dev "
                    "openmpi-bin libboost-mpi-dev, rebuild parnest with -DPARNEST_WITH_MPI=ON and "
                    "link parnest::mpi, or run the program without an MPI launcher (it then uses "
                    "threads)");
#endif
}

}  // namespace parnest::detail
