#pragma once
/// @file model.hpp
/// What the user gives parnest: parameter names, a prior transform and a log-likelihood.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace parnest {

/// A matrix stored row by row, so that each row is one contiguous span of doubles.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Maps a point `u` of the unit hypercube [0,1]^d to parameters `theta` (d values).
/// Called concurrently from several threads when the model is thread-safe.
using PriorTransform = std::function<void(std::span<const double> u, std::span<double> theta)>;

/// Log-likelihood of parameters `theta`. May return -infinity (zero likelihood); NaN and
/// +infinity are errors that stop the run with a parnest::LikelihoodError.
using LogLikelihood = std::function<double(std::span<const double> theta)>;

/// Log-likelihoods of several points in one call: row i of `theta` (n rows, d columns) is one
/// point and `log_l[i]` (n values) receives its log-likelihood, with the same rules as for
/// LogLikelihood. For code that is faster on many points at once (array code, a GPU, a
/// likelihood with a fixed cost per call).
using VectorisedLogLikelihood =
    std::function<void(const RowMatrix& theta, std::span<double> log_l)>;

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
  /// Log-likelihood of the parameters written by `prior`. Give this, or
  /// `vectorised_log_likelihood`, or both.
  LogLikelihood log_likelihood;
  /// Optional: the log-likelihoods of many points in one call. Backends that propose
  /// independent points (Batch, Smc) then call it with the rows a worker holds, at most
  /// `max_vectorised_rows` at a time. Points that must be evaluated one by one (Sequential's
  /// chains) use `log_likelihood` if it is set, else this function with one row.
  VectorisedLogLikelihood vectorised_log_likelihood;
  /// The most rows one call of `vectorised_log_likelihood` receives; 0: no limit (every row
  /// a worker holds: the whole batch on one thread, a chunk on a worker process or rank).
  std::size_t max_vectorised_rows = 0;
  /// False if `prior` or `log_likelihood` must never run on two threads at once (global
  /// state, non-reentrant libraries); parnest then never evaluates it on a thread pool, and
  /// runs it on forked worker processes (ProcessPool) when ncores > 1.
  bool thread_safe = true;

  /// The number of parameters.
  std::size_t dimension() const noexcept { return names.size(); }
};

}  // namespace parnest
