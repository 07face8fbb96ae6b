#pragma once
// The error of a nested sampling run's log Z from the randomness of its volumes (Skilling
// 2006; dynesty's simulate_run): each dead point's volume ratio t_i is a draw from Beta(n_i, 1)
// for the live count n_i it was removed at; drawing them afresh and recomputing the evidence
// shows how far log Z could have fallen. Sequential's log_z_err; tests/unit/test_estimators.cpp
// checks it against H / n and a brute-force simulation.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "parnest/rng.hpp"

namespace parnest::detail {

/// Variance of log Z over `realisations` shrinkage sequences for the dead points' log L
/// (in the order removed, the final live points last as if removed one by one) and the live
/// count each was removed at; x0 is the prior volume the run started from.
inline double shrinkage_log_z_variance(std::span<const double> log_l,
                                       std::span<const std::uint32_t> live_counts, double x0,
                                       std::uint64_t seed, int realisations = 100) {
  const std::size_t n = log_l.size();
  // Linear space relative to the largest likelihood (one log and one exp per point); X is
  // rescaled before it can underflow, keeping the scale in log_offset.
  const double max_log_l = *std::max_element(log_l.begin(), log_l.end());
  std::vector<double> l(n), inverse_n(n);
  for (std::size_t i = 0; i < n; ++i) {
    l[i] = std::exp(log_l[i] - max_log_l);
    inverse_n[i] = 1.0 / static_cast<double>(live_counts[i]);
  }
  double sum = 0.0, sum2 = 0.0;
  for (int r = 0; r < realisations; ++r) {
    RandomStream rng(seed, StreamPurpose::shrinkage, static_cast<std::uint64_t>(r), 0);
    double x = x0, z = 0.0, log_offset = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = std::exp(std::log(rng.uniform_open()) * inverse_n[i]);  // Beta(n_i, 1)
      z += l[i] * x * (1.0 - t);
      x *= t;
      if (x < 1e-200) {
        // Every later term is at most x (L <= its maximum): once z dwarfs that, stop; else
        // rescale both.
        if (z > 1e100) break;
        x *= 1e200;
        z *= 1e200;
        log_offset -= 200 * std::log(10.0);
      }
    }
    const double log_z = std::log(z) + log_offset;
    sum += log_z;
    sum2 += log_z * log_z;
  }
  const double mean = sum / realisations;
  return std::max(0.0, (sum2 / realisations - mean * mean) * realisations / (realisations - 1));
}

}  // namespace parnest::detail
