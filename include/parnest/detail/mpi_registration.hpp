#pragma once
// Included by sampler.hpp in a program that links parnest::mpi (which defines
// PARNEST_HAVE_MPI): registers the MpiPool maker before main, so that a launch with several
// ranks runs on MPI. The variable's initialiser names mpi_launcher_pool, which makes the linker
// take libparnest_mpi's MPI code into every program that can sample.

#include "parnest/detail/inline.hpp"
#include "parnest/detail/launcher_pool.hpp"

namespace parnest::detail {

/// The MpiPool of a launch with several ranks (impl/mpi_pool.ipp; a LauncherPoolMaker).
PARNEST_INLINE std::shared_ptr<Pool> mpi_launcher_pool(const Environment& env,
                                                       std::size_t threads_per_rank,
                                                       const std::shared_ptr<Pool>& previous,
                                                       std::shared_ptr<Logger> logger);

inline const bool mpi_launcher_registered = register_launcher_pool(&mpi_launcher_pool);

}  // namespace parnest::detail
