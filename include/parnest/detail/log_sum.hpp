#pragma once
// Sums of exponentials in log space, without overflow and with -inf terms allowed.

#include <cmath>
#include <limits>

#include <Eigen/Core>

namespace parnest::detail {

/// log(exp(a) + exp(b)).
inline double log_add_exp(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return a + std::log1p(std::exp(b - a));
}

/// log(sum(exp(x))); -inf for an empty vector.
inline double log_sum_exp(const Eigen::VectorXd& x) {
  if (x.size() == 0) return -std::numeric_limits<double>::infinity();
  const double m = x.maxCoeff();
  if (m == -std::numeric_limits<double>::infinity()) return m;
  return m + std::log((x.array() - m).exp().sum());
}

}  // namespace parnest::detail
