#pragma once
// Turns RunOptions and the launch environment into the pool a run uses.

#include <memory>
#include <string>

#include "parnest/env.hpp"
#include "parnest/model.hpp"
#include "parnest/options.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

/// @param previous the pool this function chose for the last run, reused when it matches.
/// @throws ConfigError for contradictory or invalid choices; when launched as one of several
/// MPI ranks, in a build without MPI (independent copies of the run would write the same
/// files) or with a model that is not thread-safe and ncores > 1.
std::shared_ptr<Pool> select_pool(const RunOptions& options, const Model& model,
                                  const Environment& env,
                                  const std::shared_ptr<Pool>& previous = nullptr);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/select_pool.ipp"
#endif
