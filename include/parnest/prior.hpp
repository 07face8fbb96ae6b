#pragma once
/// @file prior.hpp
/// Built-in one-dimensional priors that compose into a prior transform.

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "parnest/detail/normal.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"

namespace parnest {

/// A one-dimensional prior distribution, as the map from u ~ U(0, 1) to a parameter value.
/// Built by parnest::uniform, log_uniform, normal or truncated_normal, which validate it.
class Distribution {
 public:
  /// The parameter value at unit-cube coordinate u in [0, 1] (the inverse CDF).
  double from_unit(double u) const;
  /// A short description such as "normal(0, 1)", used in messages and summaries.
  std::string describe() const;

 private:
  enum class Kind { uniform, log_uniform, normal, truncated_normal };
  Distribution(Kind kind, double a, double b, double lo = 0, double hi = 0)
      : kind_(kind), a_(a), b_(b), lo_(lo), hi_(hi) {}
  friend Distribution uniform(double, double);
  friend Distribution log_uniform(double, double);
  friend Distribution normal(double, double);
  friend Distribution truncated_normal(double, double, double, double);

  Kind kind_;
  double a_, b_;    // uniform/log-uniform: bounds (log bounds); normals: mean, sigma
  double lo_, hi_;  // truncated normal: CDF value at u = 0 and the signed CDF range
};

/// Uniform on [lo, hi]. @throws ConfigError unless lo < hi, both finite.
inline Distribution uniform(double lo, double hi) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
    throw ConfigError("uniform(" + detail::text(lo) + ", " + detail::text(hi) +
                      "): need finite lo < hi");
  return {Distribution::Kind::uniform, lo, hi};
}

/// Log-uniform (uniform in log x) on [lo, hi]. @throws ConfigError unless 0 < lo < hi.
inline Distribution log_uniform(double lo, double hi) {
  if (!(std::isfinite(lo) && std::isfinite(hi) && 0 < lo && lo < hi))
    throw ConfigError("log_uniform(" + detail::text(lo) + ", " + detail::text(hi) +
                      "): need finite 0 < lo < hi");
  return {Distribution::Kind::log_uniform, std::log(lo), std::log(hi)};
}

/// Normal with the given mean and standard deviation. @throws ConfigError unless sigma > 0.
inline Distribution normal(double mean, double sigma) {
  if (!(std::isfinite(mean) && std::isfinite(sigma) && sigma > 0))
    throw ConfigError("normal(" + detail::text(mean) + ", " + detail::text(sigma) +
                      "): need finite mean and sigma > 0");
  return {Distribution::Kind::normal, mean, sigma};
}

/// Normal(mean, sigma) restricted to [lo, hi] (either bound may be infinite).
/// @throws ConfigError unless sigma > 0, lo < hi and the interval has non-negligible mass.
inline Distribution truncated_normal(double mean, double sigma, double lo, double hi) {
  const std::string call = "truncated_normal(" + detail::text(mean) + ", " + detail::text(sigma) +
                           ", " + detail::text(lo) + ", " + detail::text(hi) + ")";
  if (!(std::isfinite(mean) && std::isfinite(sigma) && sigma > 0 && lo < hi))
    throw ConfigError(call + ": need finite mean, sigma > 0 and lo < hi");
  // Work in whichever tail keeps the CDF values away from 1, where they lose precision.
  const bool upper = (lo - mean) > 0;
  const double s = upper ? -1.0 : 1.0;
  const double cdf_lo = detail::normal_cdf(s * ((upper ? hi : lo) - mean) / sigma);
  const double cdf_hi = detail::normal_cdf(s * ((upper ? lo : hi) - mean) / sigma);
  if (!(cdf_hi - cdf_lo > 1e-300))
    throw ConfigError(call + ": the interval holds no probability mass in double precision");
  // In the upper tail the map runs from the top of the CDF range down, so that the transform
  // still increases with u (u = 0 gives lo).
  if (upper) return {Distribution::Kind::truncated_normal, mean, -sigma, cdf_hi, cdf_lo - cdf_hi};
  return {Distribution::Kind::truncated_normal, mean, sigma, cdf_lo, cdf_hi - cdf_lo};
}

inline double Distribution::from_unit(double u) const {
  switch (kind_) {
    case Kind::uniform:
      return a_ + (b_ - a_) * u;
    case Kind::log_uniform:
      return std::exp(a_ + (b_ - a_) * u);
    case Kind::normal:
      return a_ + b_ * detail::normal_quantile(u);
    case Kind::truncated_normal:  // lo_ is the CDF start, hi_ the signed CDF width
      return a_ + b_ * detail::normal_quantile(lo_ + u * hi_);
  }
  return std::nan("");
}

inline std::string Distribution::describe() const {
  auto pair = [](double x, double y) { return detail::text(x) + ", " + detail::text(y); };
  switch (kind_) {
    case Kind::uniform:
      return "uniform(" + pair(a_, b_) + ")";
    case Kind::log_uniform:
      return "log_uniform(" + pair(std::exp(a_), std::exp(b_)) + ")";
    case Kind::normal:
      return "normal(" + pair(a_, b_) + ")";
    case Kind::truncated_normal:
      return "truncated_normal(" + pair(a_, std::abs(b_)) + ", ...)";
  }
  return "?";
}

/// Independent named priors, one per parameter, usable as a Model's prior transform.
///
/// @code
/// parnest::Priors priors;
/// priors.add("amplitude", parnest::log_uniform(1e-3, 10)).add("offset", parnest::normal(0, 1));
/// model.names = priors.names();
/// model.prior = priors;
/// @endcode
class Priors {
 public:
  /// Appends parameter `name` with distribution `dist`. @throws ConfigError on a repeated name.
  Priors& add(std::string name, Distribution dist) {
    for (const auto& n : names_)
      if (n == name) throw ConfigError("Priors::add: parameter \"" + name + "\" added twice");
    names_.push_back(std::move(name));
    dists_.push_back(dist);
    return *this;
  }
  /// The parameter names in the order they were added.
  const std::vector<std::string>& names() const noexcept { return names_; }
  /// The distribution of parameter i.
  const Distribution& operator[](std::size_t i) const { return dists_.at(i); }
  /// The number of parameters added.
  std::size_t size() const noexcept { return dists_.size(); }

  /// The prior transform: theta[i] = inverse CDF of parameter i at u[i].
  void operator()(std::span<const double> u, std::span<double> theta) const {
    for (std::size_t i = 0; i < dists_.size(); ++i) theta[i] = dists_[i].from_unit(u[i]);
  }

 private:
  std::vector<std::string> names_;
  std::vector<Distribution> dists_;
};

}  // namespace parnest
