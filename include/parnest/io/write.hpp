#pragma once
/// @file io/write.hpp
/// Output files. Written by the root process only (rank 0 under MPI); elsewhere a no-op, so
/// user code needs no rank test.

#include <string>

#include "parnest/result.hpp"

namespace parnest {

/// Writes, for `root` = "out/gauss" (creating directory "out" if needed):
///  - out/gauss.csv: weighted samples, columns weight, log_likelihood, then the parameters;
///  - out/gauss_equal_weights.csv: equally weighted posterior draws, one column per parameter;
///  - out/gauss_summary.json: log Z, its error, information, n_like, n_eff, seed, pool, time.
/// Each file is written to a temporary name, flushed to disk and renamed, so a crash never
/// leaves a partial file under the final name.
/// @throws IoError naming the file and the reason if a file cannot be written.
void write(const Result& result, const std::string& root);

}  // namespace parnest
