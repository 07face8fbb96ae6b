// A program whose ranks call Sampler::run() at different times, before any of them initialised
// MPI: rank 0 at once, the others after the seconds given as argv[1]. Rank 0 waits in
// MPI_Init_thread meanwhile and must say so (issue 21: it used to hang there in silence when
// only rank 0 called run()); then every rank prints the same evidence.
#include <parnest/parnest.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char* argv[]) {
  const double late_seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const int rank = parnest::detect_environment().rank;
  if (rank != 0) std::this_thread::sleep_for(std::chrono::duration<double>(late_seconds));
  parnest::Model model;
  model.names = {"x", "y"};
  model.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -5.0 + 10.0 * u[i];
  };
  model.log_likelihood = [](std::span<const double> t) {
    return -0.5 * (t[0] * t[0] + t[1] * t[1]);
  };
  auto pool =
      std::make_shared<parnest::MpiPool>(parnest::MpiPool::Options{.wait_report_seconds = 0.4});
  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 100});
  const parnest::Result result = sampler.run({.pool = pool, .seed = 3, .progress = false});
  std::printf("rank %d: log Z = %.17g\n", rank, result.log_z);
  return 0;
}
