// A separate project using parnest as a user would: one include, one target.
#include <parnest/parnest.hpp>

#include <cstdio>

int main() {
  parnest::Priors priors;
  priors.add("mu", parnest::uniform(-10, 10));
  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [](std::span<const double> theta) { return -0.5 * theta[0] * theta[0]; };
  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 100});
  const parnest::Result result = sampler.run({.ncores = 1});
  std::printf("consumer: log Z = %.3f +- %.3f (parnest %s)\n", result.log_z, result.log_z_err,
              parnest::version);
  return result.n_like > 0 ? 0 : 1;
}
