// A likelihood that is not thread-safe (it works in a global scratch buffer, as wrapped C and
// Fortran codes often do) run in parallel on forked worker processes: first chosen by
// parnest from `ncores`, then with a ProcessPool built by hand, with a set-up function per
// worker. docs/parallelisation.md quotes this file.
#include <parnest/parnest.hpp>

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <memory>

namespace legacy {
// Global state shared by every call, like a COMMON block: two threads would corrupt it.
std::array<double, 3> scratch;
int calls_in_this_process = 0;

double chi2(const double* p) {
  ++calls_in_this_process;
  for (int i = 0; i < 3; ++i) scratch[i] = (p[i] - 0.5 * i) / 0.1;
  return scratch[0] * scratch[0] + scratch[1] * scratch[1] + scratch[2] * scratch[2];
}
}  // namespace legacy

int main() {
  parnest::Priors priors;
  priors.add("a", parnest::uniform(-2, 2))
      .add("b", parnest::uniform(-2, 2))
      .add("c", parnest::uniform(-2, 2));
  parnest::Model model;
  model.names = priors.names();
  model.prior = priors;
  model.log_likelihood = [](std::span<const double> theta) {
    return -0.5 * legacy::chi2(theta.data());
  };
  model.thread_safe = false;  // parnest then uses processes, never threads, for ncores > 1

  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 400});
  const parnest::Result result = sampler.run({.ncores = 2, .seed = 3});
  std::printf("%s: log Z = %.3f +- %.3f\n", result.pool.c_str(), result.log_z, result.log_z_err);

  // The same run on a pool of your own: a set-up function runs once in each worker.
  auto pool = std::make_shared<parnest::ProcessPool>(parnest::ProcessPool::Options{
      .workers = 2,
      .setup = [](std::size_t worker) {
        std::printf("worker %zu (pid %d) ready\n", worker, static_cast<int>(::getpid()));
        std::fflush(stdout);
      },
      .max_retries = 2});
  const parnest::Result again = sampler.run({.pool = pool, .seed = 3});
  std::printf("%s: log Z = %.3f +- %.3f (%s)\n", again.pool.c_str(), again.log_z,
              again.log_z_err, again.log_z == result.log_z ? "identical" : "DIFFERENT");
  // The prior volume is 4^3 and the likelihood a unit Gaussian of width 0.1 in each dimension.
  std::printf("true log Z = %.3f\n", 3 * std::log(std::sqrt(2 * M_PI) * 0.1) - 3 * std::log(4.0));
  return again.log_z == result.log_z ? 0 : 1;
}
