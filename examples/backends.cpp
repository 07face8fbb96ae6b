// One model, the three backends: the same fit with Sequential, Batch and Smc, and what each
// costs. The likelihood is a correlated Gaussian in 4 parameters inside a box prior, so the
// evidence is known exactly and each backend's answer can be checked against it.
//
//   build/examples/parnest_example_backends
//
// docs/sequential.md, docs/batch.md and docs/smc.md quote the three runs below.
#include <parnest/parnest.hpp>

#include <Eigen/LU>

#include <cmath>
#include <cstdio>

namespace {

// log L = -0.5 r^T C^-1 r with unit variances and correlation 0.45 between neighbours;
// the prior is uniform on [-10, 10]^4, wide enough to hold the whole likelihood.
parnest::Model correlated_gaussian(double& log_z_true) {
  const int d = 4;
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Identity(d, d);
  for (int i = 0; i + 1 < d; ++i) covariance(i, i + 1) = covariance(i + 1, i) = 0.45;
  const Eigen::MatrixXd precision = covariance.inverse();
  // The likelihood is unnormalised: Z = (2 pi)^(d/2) sqrt(det C) / 20^d.
  log_z_true = 0.5 * d * std::log(2 * M_PI) + 0.5 * std::log(covariance.determinant()) -
               d * std::log(20.0);
  parnest::Model model;
  model.names = {"a", "b", "c", "d"};
  model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -10.0 + 20.0 * u[i];
  };
  model.log_likelihood = [precision](std::span<const double> theta) {
    const Eigen::Map<const Eigen::VectorXd> r(theta.data(), std::ssize(theta));
    return -0.5 * r.dot(precision * r);
  };
  return model;
}

void report(const char* backend, const parnest::Result& result, double log_z_true) {
  std::printf("%-10s log Z = %8.4f +- %.4f (truth %.4f, %+.1f sigma), %6zu calls, n_eff %5.0f, "
              "%.2f s on %s\n",
              backend, result.log_z, result.log_z_err, log_z_true,
              (result.log_z - log_z_true) / result.log_z_err, result.n_like, result.n_eff,
              result.wall_seconds, result.pool.c_str());
}

parnest::Result sequential(const parnest::Model& model) {
  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 500});
  parnest::Result result = sampler.run({.ncores = 2, .seed = 42});
  return result;
}

parnest::Result batch(const parnest::Model& model) {
  parnest::Sampler<parnest::Batch> sampler(model, {.n_eff = 10'000});
  parnest::Result result = sampler.run({.ncores = 8, .seed = 42});
  return result;
}

parnest::Result smc(const parnest::Model& model) {
  parnest::Sampler<parnest::Smc> sampler(model, {.n_eff_per_step = 512, .n_eff = 4096});
  parnest::Result result = sampler.run({.ncores = 8, .seed = 42});
  return result;
}

}  // namespace

int main() {
  double log_z_true = 0.0;
  const parnest::Model model = correlated_gaussian(log_z_true);
  int failures = 0;
  for (const auto& [name, fit] :
       {std::pair{"sequential", &sequential}, std::pair{"batch", &batch}, std::pair{"smc", &smc}}) {
    const parnest::Result result = fit(model);
    report(name, result, log_z_true);
    // A fixed seed: the example's test fails if a backend's evidence is off by more than 3 sigma.
    if (std::abs(result.log_z - log_z_true) > 3 * result.log_z_err) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
