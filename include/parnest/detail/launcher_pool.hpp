#pragma once
// The pool of a run started by an MPI launcher with several ranks. Declared without MPI types:
// impl/mpi_pool.ipp defines it in a build with MPI, impl/no_mpi.ipp (an error) in one without.

#include <cstddef>
#include <memory>

#include "parnest/env.hpp"
#include "parnest/log.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

/// True when this parnest was built with MPI support.
bool built_with_mpi() noexcept;

/// An MpiPool over MPI_COMM_WORLD with `threads_per_rank` threads on each rank (`previous`
/// if it is one), initialising MPI if nobody has; a rank that waits for the others tells
/// `logger` (null: stderr).
/// @throws ConfigError on every rank in a build without MPI (saying how to rebuild), and when
/// MPI's world does not match the launcher variables in `env`.
std::shared_ptr<Pool> launcher_pool(const Environment& env, std::size_t threads_per_rank,
                                    const std::shared_ptr<Pool>& previous,
                                    std::shared_ptr<Logger> logger);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#ifdef PARNEST_HAVE_MPI
#include "parnest/impl/mpi_pool.ipp"
#else
#include "parnest/impl/no_mpi.ipp"
#endif
#endif
