#pragma once
// The standard deviation of bootstrap replicates, accumulated one replicate at a time.

#include <algorithm>
#include <cmath>
#include <limits>

namespace parnest::detail {

class Spread {
 public:
  void add(double x) {
    sum_ += x;
    sum2_ += x * x;
    ++n_;
  }
  /// The sample standard deviation; infinity with fewer than two values.
  double deviation() const {
    if (n_ < 2) return std::numeric_limits<double>::infinity();
    const double mean = sum_ / n_;
    return std::sqrt(std::max(0.0, (sum2_ / n_ - mean * mean) * n_ / (n_ - 1)));
  }

 private:
  double sum_ = 0, sum2_ = 0;
  int n_ = 0;
};

}  // namespace parnest::detail
