#pragma once
// The pool of a run started by an MPI launcher with several ranks. The core declares it without
// MPI types and asks the maker that the parnest::mpi component registers (a program that links
// parnest::mpi includes detail/mpi_registration.hpp through sampler.hpp); without one, a launch
// with several ranks is refused on every rank.

#include <cstddef>
#include <memory>

#include "parnest/env.hpp"
#include "parnest/log.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

/// Makes the pool of a launch with several ranks: an MpiPool over MPI_COMM_WORLD with
/// `threads_per_rank` threads on each rank (`previous` if it is one), initialising MPI if
/// nobody has; a rank that waits for the others tells `logger` (null: stderr).
using LauncherPoolMaker = std::shared_ptr<Pool> (*)(const Environment& env,
                                                    std::size_t threads_per_rank,
                                                    const std::shared_ptr<Pool>& previous,
                                                    std::shared_ptr<Logger> logger);

/// Installs `make` for this program (parnest::mpi does, before main). Returns true.
bool register_launcher_pool(LauncherPoolMaker make) noexcept;

/// True when this program links parnest's MPI component (parnest::mpi).
bool built_with_mpi() noexcept;

/// The registered maker's pool.
/// @throws ConfigError on every rank without parnest::mpi (saying what to link or rebuild), and
/// when MPI's world does not match the launcher variables in `env`.
std::shared_ptr<Pool> launcher_pool(const Environment& env, std::size_t threads_per_rank,
                                    const std::shared_ptr<Pool>& previous,
                                    std::shared_ptr<Logger> logger);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/launcher_pool.ipp"
#ifdef PARNEST_HAVE_MPI
#include "parnest/impl/mpi_pool.ipp"
#endif
#endif
