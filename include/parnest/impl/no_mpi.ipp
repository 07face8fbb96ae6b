#pragma once
// The launcher pool of a build without MPI: compiled once into libparnest (src/no_mpi.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
// A build without MPI: a launch with several ranks is refused on every rank, since each rank
// would otherwise run the whole sampling on its own and write the same files.
#include <string>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/launcher_pool.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

PARNEST_INLINE bool built_with_mpi() noexcept {
  return false;
}

PARNEST_INLINE std::shared_ptr<Pool> launcher_pool(const Environment& env, std::size_t,
                                                   const std::shared_ptr<Pool>&,
                                                   std::shared_ptr<Logger>) {
  throw ConfigError("this process is rank " + std::to_string(env.rank) + " of " +
                    std::to_string(env.size) + " started by " + env.launcher +
                    ", but this parnest was built without MPI: install libopenmpi-dev "
                    "openmpi-bin libboost-mpi-dev and rebuild parnest with -DPARNEST_WITH_MPI=ON, "
                    "or run the program without an MPI launcher (it then uses threads)");
}

}  // namespace parnest::detail
