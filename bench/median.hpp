#pragma once
// Benchmarks report medians: timings on shared machines have long upper tails.
#include <algorithm>
#include <vector>

namespace parnest::bench {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace parnest::bench
