#pragma once
// Systematic resampling (one uniform offset for all draws): the least noisy way to turn
// weights into equally weighted copies. Shared by Result::equal_weight_samples and Smc.

#include <cstddef>
#include <vector>

#include <Eigen/Core>

namespace parnest::detail {

/// `n` indices into items 0 .. count - 1 drawn with probabilities weight(i) (summing to one),
/// in increasing order, from one `offset` uniform in [0, 1).
template <class Weight>
std::vector<Eigen::Index> systematic_resample(std::size_t n, Eigen::Index count, double offset,
                                              Weight weight) {
  std::vector<Eigen::Index> picked(n);
  double cumulative = weight(Eigen::Index{0}) * static_cast<double>(n);
  Eigen::Index i = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double position = static_cast<double>(j) + offset;
    while (cumulative <= position && i + 1 < count)
      cumulative += weight(++i) * static_cast<double>(n);
    picked[j] = i;
  }
  return picked;
}

}  // namespace parnest::detail
