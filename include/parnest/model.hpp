#pragma once
/// @file model.hpp
/// What the user gives parnest: parameter names, a prior transform and a log-likelihood.

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace parnest {

/// Maps a point `u` of the unit hypercube [0,1]^d to parameters `theta` (d values).
/// Called concurrently from several threads when the model is thread-safe.
using PriorTransform = std::function<void(std::span<const double> u, std::span<double> theta)>;

/// Log-likelihood of parameters `theta`. May return -infinity (zero likelihood); NaN and
/// +infinity are errors that stop the run with a parnest::LikelihoodError.
using LogLikelihood = std::function<double(std::span<const double> theta)>;

/// A statistical model: d named parameters, a prior transform, a log-likelihood.
///
/// @code
/// parnest::Model model;
/// model.names = {"x", "y"};
/// model.prior = [](std::span<const double> u, std::span<double> theta) {
///   for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -5.0 + 10.0 * u[i];
/// };
/// model.log_likelihood = [](std::span<const double> theta) { return -0.5 * theta[0] * theta[0]; };
/// @endcode
struct Model {
  /// One name per parameter; their number is the model's dimension.
  std::vector<std::string> names;
  /// Unit hypercube to parameters; see parnest::Priors for a ready-made one.
  PriorTransform prior;
  /// Log-likelihood of the parameters written by `prior`.
  LogLikelihood log_likelihood;
  /// False if `prior` or `log_likelihood` must never run on two threads at once (global
  /// state, non-reentrant libraries); parnest then never evaluates it on a thread pool, and
  /// runs it on forked worker processes (ProcessPool) when ncores > 1.
  bool thread_safe = true;

  /// The number of parameters.
  std::size_t dimension() const noexcept { return names.size(); }
};

}  // namespace parnest
