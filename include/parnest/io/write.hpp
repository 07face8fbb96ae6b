#pragma once
/// @file io/write.hpp
/// Output files. Written where the result's writes_output is set: by the process that spoke
/// for the run (rank 0 under MPI); elsewhere a no-op, so user code needs no rank test.

#include <string>

#include "parnest/result.hpp"

namespace parnest {

/// Writes, for `root` = "out/gauss" (creating directory "out" if needed):
///  - out/gauss.csv: weighted samples, header then columns weight, log_likelihood, parameters;
///  - out/gauss_equal_weights.csv: equally weighted posterior draws, one column per parameter;
///  - out/gauss.txt and out/gauss.paramnames: a GetDist chain (weight, -log L, parameters;
///    space-separated) and its parameter names, read by getdist.loadMCSamples("out/gauss");
///  - out/gauss_dead-birth.txt (nested samplers): PolyChord's dead points with their birth
///    contours (parameters, log L, log L at birth; -1e30 for prior draws), read by
///    anesthetic.read_chains("out/gauss");
///  - out/gauss_summary.json: log Z, its error, information, n_like, n_eff, n_iterations,
///    seed, pool, wall time, the backend's options, warnings, and per parameter the mean,
///    standard deviation and the 2.5, 16, 50, 84 and 97.5 % quantiles.
/// The weights in each file sum to one. Each file is written to a temporary name, flushed to
/// disk and renamed, so a crash never leaves a partial file under the final name.
/// @throws IoError naming the file and the reason if a file cannot be written; ConfigError if
/// `root` has no base name ("out/", "").
void write(const Result& result, const std::string& root);

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/write.ipp"
#endif
