// Calibration of the sequential backend: for each reference problem, runs seeds 1..N with the
// default options and compares the scatter of log Z around the truth with the reported error.
// Slow (minutes; gauss-30 dominates), so a benchmark, not a test.
//
//   build/bench/parnest_calibrate_sequential [seeds=20] [problem name]
#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/support/problems.hpp"

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string only = argc > 2 ? argv[2] : "";
  namespace ref = parnest::reference;
  std::printf("Sequential, n_live 500, default options, ncores 2, seeds 1-%d\n\n", seeds);
  std::printf(
      "| problem | RMS dev | mean error (shrinkage) | mean error (H) | bias | max |pull| | mean "
      "calls |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& problem :
       {ref::gaussian(2), ref::gaussian_shells(), ref::eggbox(), ref::rosenbrock(),
        ref::gaussian(10), ref::correlated_gaussian(), ref::gaussian(30)}) {
    if (!only.empty() && problem.name != only) continue;
    parnest::Sampler<parnest::Sequential> sampler(problem.model, {.n_live = 500});
    double ms = 0, err = 0, err_h = 0, bias = 0, worst = 0, calls = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      const parnest::Result r =
          sampler.run({.ncores = 2, .seed = static_cast<std::uint64_t>(seed)});
      const double delta = r.log_z - problem.log_z;
      ms += delta * delta / seeds;
      err += r.log_z_err / seeds;
      err_h += r.log_z_err_information / seeds;
      bias += delta / seeds;
      worst = std::max(worst, std::abs(delta) / r.log_z_err);
      calls += static_cast<double>(r.n_like) / seeds;
    }
    std::printf("| %s | %.3f | %.3f | %.3f | %+.3f | %.2f | %.0f |\n", problem.name.c_str(),
                std::sqrt(ms), err, err_h, bias, worst, calls);
    std::fflush(stdout);
  }
}
