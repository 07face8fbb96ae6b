#include <parnest/parnest.hpp>
#include <cstdio>
#include <span>

int main() {
  parnest::Model model;
  model.names = {"x", "y"};
  model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -5.0 + 10.0 * u[i];
  };
  model.log_likelihood = [](std::span<const double> theta) {
    return -0.5 * (theta[0] * theta[0] + theta[1] * theta[1]) / 0.01;
  };
  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 500});
  parnest::Result result = sampler.run({.ncores = 2, .seed = 42});
  std::printf("log Z = %.3f +- %.3f after %zu likelihood calls\n",
              result.log_z, result.log_z_err, static_cast<std::size_t>(result.n_like));
  parnest::write(result, "out/gauss");  // writes on rank 0 only; a no-op on other MPI ranks
}
