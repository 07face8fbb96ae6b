// The same program on a laptop and on a cluster: run it as it is, or under an MPI launcher,
//
//   build/examples/parnest_example_cluster
//   mpirun -np 4 build/examples/parnest_example_cluster
//   srun -n 64 build/examples/parnest_example_cluster
//
// with no change to the code. Under a launcher parnest notices the ranks, rank 0 runs the
// sampler while the others evaluate the likelihood, and every rank gets the same Result.
// Output files are written once, by rank 0. The fit: a damped oscillation in noisy data.
#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

int main() {
  // Synthetic data, the same on every rank (a fixed seed).
  const double true_amplitude = 2.0, true_period = 3.0, true_decay = 6.0, sigma = 0.25;
  std::vector<double> t, y;
  parnest::RandomStream noise(11, parnest::StreamPurpose::user, 0, 0);
  for (int i = 0; i < 200; ++i) {
    t.push_back(0.05 * i);
    y.push_back(true_amplitude * std::exp(-t.back() / true_decay) *
                    std::sin(2 * std::numbers::pi * t.back() / true_period) +
                sigma * noise.normal());
  }

  parnest::Priors priors;
  priors.add("amplitude", parnest::uniform(0, 5))
      .add("period", parnest::uniform(1, 5))
      .add("decay", parnest::log_uniform(0.5, 50));

  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [&](std::span<const double> theta) {
    double chi2 = 0.0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double m = theta[0] * std::exp(-t[i] / theta[2]) *
                       std::sin(2 * std::numbers::pi * t[i] / theta[1]);
      chi2 += (y[i] - m) * (y[i] - m);
    }
    return -0.5 * chi2 / (sigma * sigma);
  };

  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 400});
  const parnest::Result result = sampler.run({.seed = 2026, .progress = false});

  // Every rank has the whole result; only rank 0 prints the summary and writes files.
  std::printf("rank %d of %d: log Z = %.6f +- %.6f (%s)\n", parnest::detect_environment().rank,
              parnest::detect_environment().size, result.log_z, result.log_z_err,
              result.pool.c_str());
  if (parnest::is_root()) {
    const auto mean = result.mean(), sd = result.stddev();
    for (std::size_t i = 0; i < result.names.size(); ++i)
      std::printf("  %-9s = %.3f +- %.3f\n", result.names[i].c_str(), mean[i], sd[i]);
    std::printf("  (true: amplitude %.1f, period %.1f, decay %.1f)\n", true_amplitude, true_period,
                true_decay);
  }
  parnest::write(result, "out/cluster");  // a no-op on ranks other than 0
}
