#pragma once
/// @file error.hpp
/// Exceptions thrown by parnest. Every one derives from parnest::Error (catch them all) and
/// from exactly one standard exception (catch them as std::exception, or a configuration
/// error as std::invalid_argument).

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace parnest {

/// Base of every parnest exception. It does not derive from std::exception itself, so that
/// each concrete error has a single std::exception base and `catch (const std::exception&)`
/// stays unambiguous.
class Error {
 public:
  virtual ~Error() = default;
  virtual const char* what() const noexcept = 0;
};

namespace detail {
// One definition of the "standard base + parnest::Error" pairing for every error kind.
template <class StdBase>
class ErrorOf : public StdBase, public Error {
 public:
  explicit ErrorOf(const std::string& message) : StdBase("parnest: " + message) {}
  const char* what() const noexcept override { return StdBase::what(); }
};
}  // namespace detail

/// Bad options, a bad model, or a pool that cannot be used: raised before any sampling.
class ConfigError : public detail::ErrorOf<std::invalid_argument> {
  using ErrorOf::ErrorOf;
};

/// The likelihood (or prior) failed at a point: it threw, or returned NaN or +inf.
/// Carries the parameter values, so that the caller can reproduce the failure.
class LikelihoodError : public detail::ErrorOf<std::runtime_error> {
 public:
  LikelihoodError(const std::string& message, std::vector<double> theta)
      : ErrorOf(message), theta_(std::move(theta)) {}
  /// The parameter values at which the likelihood failed.
  const std::vector<double>& theta() const noexcept { return theta_; }

 private:
  std::vector<double> theta_;
};

/// The sampler could not make progress (for example, no point above the likelihood threshold
/// could be found in the bound after the allowed number of draws).
class SamplerError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};

/// A pool or one of its workers failed in a way unrelated to the likelihood's values.
class PoolError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};

/// Output could not be written (the message names the file and the system's reason).
class IoError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};

}  // namespace parnest
