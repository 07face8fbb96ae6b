// Benchmark of the backends side by side on the reference problems (batch, smc, sequential):
// likelihood calls, accuracy in units of the reported error, wall time and the sampler's own
// cost per call. Prints a table; times and counts are medians over the seeds.
//
//   build/bench/parnest_bench_backends [seeds] [problem] [sampler]
//
// Defaults: 3 seeds, every problem, every sampler; a problem such as gauss-10 or a sampler
// (batch, networks for batch with 4 emulator networks, smc, smc-affine for smc without its
// flow, sequential) runs that one only.
#include <parnest/parnest.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/support/problems.hpp"
#include "median.hpp"

using parnest::bench::median;
using parnest::bench::seconds_per_model_call;

namespace {

struct Row {
  std::vector<double> calls, n_eff, sigma, pull, wall, overhead;
};

template <class Backend>
Row run(const parnest::reference::Problem& problem, const typename Backend::Options& options,
        int seeds) {
  parnest::Sampler<Backend> sampler(problem.model, options);
  const double model_cost = seconds_per_model_call(problem.model);
  Row row;
  for (int seed = 1; seed <= seeds; ++seed) {
    const parnest::Result r =
        sampler.run({.ncores = 1, .seed = static_cast<std::uint64_t>(seed), .progress = false});
    row.calls.push_back(static_cast<double>(r.n_like));
    row.n_eff.push_back(r.n_eff);
    row.sigma.push_back(r.log_z_err);
    row.pull.push_back(std::abs(r.log_z - problem.log_z) / r.log_z_err);
    row.wall.push_back(r.wall_seconds);
    row.overhead.push_back((r.wall_seconds - model_cost * static_cast<double>(r.n_like)) /
                           static_cast<double>(r.n_like) * 1e6);
  }
  return row;
}

void print(const std::string& problem, const char* sampler, const Row& r) {
  std::printf("| %s | %s | %.0f | %.0f | %.3f | %.2f (%.2f) | %.2f | %.1f |\n", problem.c_str(),
              sampler, median(r.calls), median(r.n_eff), median(r.sigma), median(r.pull),
              *std::max_element(r.pull.begin(), r.pull.end()), median(r.wall), median(r.overhead));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 3;
  const std::string only = argc > 2 ? argv[2] : "all";
  const std::string sampler = argc > 3 ? argv[3] : "all";
  auto wanted = [&](const char* name) { return sampler == "all" || sampler == name; };
  namespace ref = parnest::reference;
  std::printf(
      "Batch (defaults: n_live 500, n_eff 10000; and with 4 emulator networks up to 10-D), Smc "
      "(defaults: n_eff_per_step 512, n_active 256, n_eff 4096; with and without its flow) and "
      "Sequential (n_live 500), serial pool, %d seeds (medians)\n\n",
      seeds);
  std::printf(
      "| problem | sampler | calls | n_eff | sigma | |dlogZ|/sigma (max) | wall s | overhead "
      "us/call |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& problem :
       {ref::gaussian(2), ref::gaussian_shells(), ref::eggbox(), ref::rosenbrock(), ref::bimodal(),
        ref::gaussian(10), ref::correlated_gaussian(), ref::gaussian(30)}) {
    if (only != "all" && problem.name != only) continue;
    if (wanted("batch")) print(problem.name, "batch", run<parnest::Batch>(problem, {}, seeds));
    // The emulator's training costs seconds per run; it is measured up to 10-D.
    if (wanted("networks") && problem.model.names.size() <= 10)
      print(problem.name, "batch, networks 4",
            run<parnest::Batch>(problem, {.networks = 4}, seeds));
    if (wanted("smc")) print(problem.name, "smc", run<parnest::Smc>(problem, {}, seeds));
    if (wanted("smc-affine"))
      print(problem.name, "smc, no flow", run<parnest::Smc>(problem, {.flow = false}, seeds));
    if (wanted("sequential"))
      print(problem.name, "sequential", run<parnest::Sequential>(problem, {.n_live = 500}, seeds));
  }
}
