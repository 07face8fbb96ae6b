#pragma once
/// @file error.hpp
/// Exceptions thrown by parnest. Every one derives from parnest::Error (catch them all) and
/// from exactly one standard exception (catch them as std::exception, or a configuration
/// error as std::invalid_argument).

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace parnest {

/// Base of every parnest exception. It does not derive from std::exception itself, so that
/// each concrete error has a single std::exception base and `catch (const std::exception&)`
/// stays unambiguous.
class Error {
 public:
  virtual ~Error() = default;
  /// The message: what failed, with the values involved.
  virtual const char* what() const noexcept = 0;
  /// The message without its "parnest: " prefix, to quote inside another message.
  std::string reason() const {
    const std::string_view message = what();
    constexpr std::string_view prefix = "parnest: ";
    return std::string(message.starts_with(prefix) ? message.substr(prefix.size()) : message);
  }
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
  /// `theta`: the parameters (or unit-cube point) at which the evaluation failed.
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

/// A checkpoint cannot be resumed: it is truncated or corrupt, or it was written by a run with
/// a different model, options or seed (the message lists what differs). The file is left as
/// it was.
class CheckpointError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};

/// Sampler::run stopped early on SIGINT or SIGTERM, after finishing its current batch and
/// writing its checkpoint (if RunOptions::checkpoint is set). Running the same program again
/// with the same options resumes the run.
class Interrupted : public detail::ErrorOf<std::runtime_error> {
 public:
  /// `message` says where the checkpoint is; `signal` is the signal received.
  Interrupted(const std::string& message, int signal) : ErrorOf(message), signal_(signal) {}
  /// The signal that stopped the run (SIGINT or SIGTERM), or 0 for RunOptions::stop.
  int signal() const noexcept { return signal_; }

 private:
  int signal_;
};

namespace detail {
/// The one wording of a bad backend option: "<Backend> option <name> = <value> is invalid: <rule>".
[[noreturn]] inline void invalid_option(const std::string& backend, const std::string& option,
                                        const std::string& value, const std::string& rule) {
  throw ConfigError(backend + " option " + option + " = " + value + " is invalid: " + rule);
}
}  // namespace detail

}  // namespace parnest
