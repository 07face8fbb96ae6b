// A vectorised likelihood: many parameter sets in one call. A polynomial fitted to 2,000 data
// points costs one matrix-vector product per parameter set; for a block of n sets it is one
// matrix-matrix product. Batch and Smc hand a vectorised likelihood every point a worker holds
// at once (a whole batch serially, an equal share per thread, a chunk per worker process or
// MPI rank). Whether that is faster depends on the code: here it is not (Eigen's product with
// a design matrix of 4 columns gains nothing over matrix-vector products; docs/
// parallelisation.md has the numbers). It pays where a call has a fixed cost: a GPU kernel, a
// call into another language or process, array code written for whole blocks.
//
//   build/examples/parnest_example_vectorised [ncores]
//
// It fits the same data with the one-point likelihood and with the vectorised one, and prints
// both evidences, the time per call of each, and how many points a vectorised call received.
#include <parnest/parnest.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  const int ncores = argc > 1 ? std::atoi(argv[1]) : 2;
  // Data: y = 0.5 - 1.2 x + 0.8 x^2 + 0.3 x^3 plus noise, at 2,000 points in [-1, 1].
  const int n_data = 2000, degree = 3;
  const double sigma = 0.2, truth[] = {0.5, -1.2, 0.8, 0.3};
  Eigen::MatrixXd x(n_data, degree + 1);  // the design matrix: powers of the abscissa
  Eigen::VectorXd y(n_data);
  parnest::RandomStream noise(5, parnest::StreamPurpose::user, 0, 0);
  for (int i = 0; i < n_data; ++i) {
    const double at = -1.0 + 2.0 * i / (n_data - 1);
    y[i] = sigma * noise.normal();
    for (int k = 0; k <= degree; ++k) {
      x(i, k) = std::pow(at, k);
      y[i] += truth[k] * x(i, k);
    }
  }
  const double log_norm = -n_data * std::log(sigma * std::sqrt(2 * M_PI));

  parnest::Priors priors;
  for (int k = 0; k <= degree; ++k) priors.add("c" + std::to_string(k), parnest::uniform(-3, 3));
  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [&](std::span<const double> theta) {
    const Eigen::VectorXd residuals =
        y - x * Eigen::Map<const Eigen::VectorXd>(theta.data(), std::ssize(theta));
    return log_norm - 0.5 * residuals.squaredNorm() / (sigma * sigma);
  };

  parnest::Model vectorised = model;
  std::atomic<std::size_t> calls{0}, points{0};
  vectorised.vectorised_log_likelihood = [&](const parnest::RowMatrix& theta,
                                             std::span<double> log_l) {
    // Row i of theta is one parameter set: every prediction in one matrix product.
    Eigen::MatrixXd residuals = x * theta.transpose();
    residuals.colwise() -= y;
    for (Eigen::Index i = 0; i < theta.rows(); ++i)
      log_l[i] = log_norm - 0.5 * residuals.col(i).squaredNorm() / (sigma * sigma);
    ++calls;
    points += static_cast<std::size_t>(theta.rows());
  };
  vectorised.max_vectorised_rows = 256;  // bounds the n_data x n matrix of residuals
  vectorised.log_likelihood = nullptr;   // Batch would use the vectorised one anyway

  const parnest::Batch::Options options{.n_eff = 5000};
  std::vector<parnest::Result> results;
  for (const parnest::Model* m : {&model, &vectorised}) {
    parnest::Sampler<parnest::Batch> sampler(*m, options);
    const parnest::Result result = sampler.run({.ncores = ncores, .seed = 3, .progress = false});
    const bool blocks = m == &vectorised;
    std::printf("%-10s log Z = %.3f +- %.3f, %zu calls in %.2f s on %s (%.1f us per call)",
                blocks ? "vectorised" : "one-point", result.log_z, result.log_z_err,
                result.n_like, result.wall_seconds, result.pool.c_str(),
                1e6 * result.wall_seconds / static_cast<double>(result.n_like));
    if (blocks)
      std::printf(", %.1f points per vectorised call",
                  static_cast<double>(points) / static_cast<double>(calls));
    std::printf("\n");
    const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
    for (int k = 0; k <= degree; ++k)
      std::printf("  c%d = %.4f +- %.4f (true %.1f)\n", k, mean[k], sd[k], truth[k]);
    results.push_back(result);
  }
  // The two likelihoods round differently, so the runs differ, but only within their errors.
  const double gap = std::abs(results[0].log_z - results[1].log_z);
  const double error = std::hypot(results[0].log_z_err, results[1].log_z_err);
  if (gap > 3 * error || points <= calls) {
    std::printf("FAILED: the evidences differ by %.4f (%.1f sigma) or calls got single points\n",
                gap, gap / error);
    return 1;
  }
}
