#pragma once
/// @file result.hpp
/// What a run returns: the evidence with its error, and weighted posterior samples.

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/resample.hpp"
#include "parnest/rng.hpp"

namespace parnest {

/// The outcome of Sampler::run, identical on every rank of an MPI run.
struct Result {
  double log_z = 0.0;      ///< log evidence
  double log_z_err = 0.0;  ///< its standard error, as estimated by the backend
  /// A plainer error, for comparison with log_z_err: Sequential's is Skilling's
  /// sqrt(H / n_live) (log_z_err comes from simulated shrinkage); Batch's and Smc's, whose log Z
  /// is an importance-sampling sum, is that of n_eff independent weights,
  /// sqrt(1 / n_eff - 1 / n) over n weighted points (log_z_err is a bootstrap).
  double log_z_err_information = 0.0;
  double information = 0.0;  ///< Kullback-Leibler divergence H of posterior from prior (nats)
  std::size_t n_like = 0;    ///< likelihood evaluations
  double n_eff = 0.0;        ///< Kish effective sample size of the weighted samples
  /// Iterations: Sequential's rounds of n_replace draws, Batch's and Smc's batches.
  std::size_t n_iterations = 0;

  std::vector<std::string> names;   ///< one per column of `samples`
  Eigen::MatrixXd samples;          ///< one row per sample point (parameters)
  Eigen::VectorXd log_weights;      ///< log posterior weight of each row; they sum to one
  Eigen::VectorXd log_likelihoods;  ///< log-likelihood of each row
  /// Nested samplers: the likelihood contour each row was drawn above (-infinity for draws
  /// from the whole prior), as PolyChord's dead-birth files hold it. Empty for other backends.
  Eigen::VectorXd log_likelihood_births;

  std::vector<std::string> warnings;  ///< advice about the run (also printed on rank 0)
  std::string sampler;                ///< the backend, such as "sequential"
  std::string pool;           ///< the pool that evaluated the likelihood, such as "threads(2)"
  std::uint64_t seed = 0;     ///< the seed the run was made from
  double wall_seconds = 0.0;  ///< wall-clock seconds of the run
  /// The backend's options as (name, value) text, defaults resolved, for output files.
  std::vector<std::pair<std::string, std::string>> options;
  /// Whether parnest::write() writes this result here. A run across MPI ranks returns the
  /// same result on every rank with this true on the one that spoke for the run (rank 0 of
  /// the pool's communicator) only, so that write() called on every rank writes one set of
  /// files; so does a serial or threaded run on a rank other than 0 of a launcher's job. True
  /// for a Result made any other way.
  bool writes_output = true;

  /// The posterior weights (exp of log_weights).
  Eigen::VectorXd weights() const { return log_weights.array().exp().matrix(); }

  /// Posterior mean of each parameter.
  Eigen::VectorXd mean() const { return samples.transpose() * weights(); }

  /// Posterior standard deviation of each parameter.
  Eigen::VectorXd stddev() const {
    const Eigen::VectorXd w = weights();
    const Eigen::MatrixXd centred = samples.rowwise() - mean().transpose();
    return (centred.array().square().matrix().transpose() * w).array().sqrt().matrix();
  }

  /// `n` equally weighted posterior draws (systematic resampling, reproducible from `seed`).
  /// With n = 0, draws floor(n_eff) points, so that repeats are rare.
  Eigen::MatrixXd equal_weight_samples(std::size_t n = 0, std::uint64_t resample_seed = 0) const {
    if (n == 0) n = static_cast<std::size_t>(std::max(1.0, std::floor(n_eff)));
    Eigen::MatrixXd out(static_cast<Eigen::Index>(n), samples.cols());
    if (samples.rows() == 0) return out.topRows(0);
    RandomStream rng(resample_seed, StreamPurpose::resample, 0, 0);
    const std::vector<Eigen::Index> rows = detail::systematic_resample(
        n, samples.rows(), rng.uniform(), [&](Eigen::Index i) { return std::exp(log_weights[i]); });
    for (std::size_t i = 0; i < n; ++i)
      out.row(static_cast<Eigen::Index>(i)) = samples.row(rows[i]);
    // Systematic resampling keeps the input order; shuffle so that draws are exchangeable.
    for (std::size_t i = n; i > 1; --i)
      out.row(static_cast<Eigen::Index>(i - 1))
          .swap(out.row(static_cast<Eigen::Index>(rng.below(i))));
    return out;
  }
};

}  // namespace parnest
