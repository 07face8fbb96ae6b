// Built-in priors composed into a transform: fit a line y = a x + b with unknown noise to
// synthetic data, and print the posterior next to the true values.
#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  const double true_a = 1.5, true_b = -0.7, true_sigma = 0.3;
  std::vector<double> x, y;
  parnest::RandomStream noise(7, parnest::StreamPurpose::user, 0, 0);
  for (int i = 0; i < 40; ++i) {
    x.push_back(-2.0 + 0.1 * i);
    y.push_back(true_a * x.back() + true_b + true_sigma * noise.normal());
  }

  parnest::Priors priors;
  priors.add("a", parnest::uniform(-5, 5))
      .add("b", parnest::normal(0, 2))
      .add("sigma", parnest::log_uniform(0.01, 10));

  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [&](std::span<const double> theta) {
    const double a = theta[0], b = theta[1], sigma = theta[2];
    double chi2 = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) chi2 += std::pow((y[i] - a * x[i] - b) / sigma, 2);
    return -0.5 * chi2 - static_cast<double>(x.size()) * std::log(sigma * std::sqrt(2 * M_PI));
  };

  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 400});
  const parnest::Result result = sampler.run({.seed = 1});
  const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
  const double truth[] = {true_a, true_b, true_sigma};
  std::printf("log Z = %.3f +- %.3f (%zu calls, pool %s)\n", result.log_z, result.log_z_err,
              result.n_like, result.pool.c_str());
  for (int i = 0; i < 3; ++i)
    std::printf("%-6s = %7.3f +- %.3f   (true %.3f)\n", result.names[i].c_str(), mean[i], sd[i],
                truth[i]);
  parnest::write(result, "out/line");
}
