#pragma once
// What every benchmark measures with: medians (timings on shared machines have long upper
// tails) and the cost of the bare model, subtracted to leave the sampler's own overhead.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <parnest/model.hpp>
#include <parnest/rng.hpp>

namespace parnest::bench {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Seconds per call of the bare prior and likelihood, called the way the sampler calls them.
inline double seconds_per_model_call(const Model& model) {
  const std::size_t d = model.names.size(), n = 200000;
  std::vector<double> u(d), theta(d);
  RandomStream rng(0, StreamPurpose::user, 0, 0);
  double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    for (double& x : u) x = rng.uniform();
    model.prior(u, theta);
    sink += model.log_likelihood(theta);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sink == 42.0) std::puts("");  // keep the loop
  return s / static_cast<double>(n);
}

}  // namespace parnest::bench
