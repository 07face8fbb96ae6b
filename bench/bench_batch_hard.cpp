// Batch on the shapes it was not tuned on (issue 18): Rosenbrock-10, Neal's funnel in 10-D,
// LogGamma-10 and a 3-D mixture of three unequal Gaussians, with Sequential beside it where a
// comparison is asked for. Seeds start at 1001, above every seed the defaults were tuned on
// (those were 1-6). Prints one row per problem and sampler: calls (median, max), pulls
// (Delta log Z / sigma: rms, max |pull|), the median sigma and wall time, and lost runs.
//
//   build/bench/parnest_bench_batch_hard [seeds] [problem] [sampler]
//
// sampler: batch, networks (Batch with 4 emulator networks), sequential or all (the default:
// batch, networks but on the mixture, sequential on the funnel and Rosenbrock). Defaults: 6
// seeds (20 for the mixture), every problem.
#include <parnest/parnest.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/support/problems.hpp"
#include "median.hpp"
#include "seed_loop.hpp"

using parnest::bench::median;

namespace {

template <class Backend>
void run(const parnest::reference::Problem& problem, const char* label,
         const typename Backend::Options& options, int seeds, bool verbose) {
  parnest::Sampler<Backend> sampler(problem.model, options);
  std::vector<double> calls, sigma, wall, pulls;
  int failed = 0;
  for (int s = 0; s < seeds; ++s) {
    const auto seed = static_cast<std::uint64_t>(1001 + s);
    try {
      const parnest::Result r = sampler.run({.ncores = 1, .seed = seed, .progress = false});
      const double pull = (r.log_z - problem.log_z) / r.log_z_err;
      calls.push_back(static_cast<double>(r.n_like));
      sigma.push_back(r.log_z_err);
      wall.push_back(r.wall_seconds);
      pulls.push_back(pull);
      if (verbose)
        std::printf("  seed %llu: log Z %.4f +- %.4f (pull %+.2f), %zu calls, %.1f s%s\n",
                    static_cast<unsigned long long>(seed), r.log_z, r.log_z_err, pull, r.n_like,
                    r.wall_seconds, r.warnings.empty() ? "" : (", " + r.warnings.front()).c_str());
    } catch (const parnest::Interrupted&) {
      throw;  // the whole benchmark stops (main), not just this seed
    } catch (const parnest::Error& e) {
      ++failed;
      std::printf("  seed %llu: %s\n", static_cast<unsigned long long>(seed), e.what());
    }
    std::fflush(stdout);
  }
  double rms = 0.0, worst = 0.0;
  for (double p : pulls) {
    rms += p * p;
    worst = std::max(worst, std::abs(p));
  }
  rms = pulls.empty() ? NAN : std::sqrt(rms / static_cast<double>(pulls.size()));
  std::printf("| %s | %s | %d | %.0f | %.0f | %.4f | %.2f | %.2f | %.1f | %d |\n",
              problem.name.c_str(), label, seeds, calls.empty() ? NAN : median(calls),
              calls.empty() ? NAN : *std::max_element(calls.begin(), calls.end()),
              sigma.empty() ? NAN : median(sigma), rms, worst, wall.empty() ? NAN : median(wall),
              failed);
  std::fflush(stdout);
}

int run_all(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 6;
  const std::string only = argc > 2 ? argv[2] : "all";
  const std::string sampler = argc > 3 ? argv[3] : "all";
  const bool verbose = std::getenv("PARNEST_BENCH_VERBOSE") != nullptr;
  namespace ref = parnest::reference;
  std::printf(
      "Batch (defaults) and Sequential (n_live 500) on hard shapes, serial pool, seeds from "
      "1001\n\n"
      "| problem | sampler | seeds | calls (median) | calls (max) | sigma (median) | rms pull | "
      "max |pull| | wall s (median) | failed |\n| --- | --- | --- | --- | --- | --- | --- | --- "
      "| --- | --- |\n");
  for (const auto& problem :
       {ref::mixture3(), ref::loggamma(10), ref::funnel(), ref::rosenbrock(10)}) {
    if (only != "all" && problem.name != only) continue;
    const int n = problem.name == "mixture3-3" && argc <= 1 ? 20 : seeds;
    if (sampler == "all" || sampler == "batch")
      run<parnest::Batch>(problem, "batch", {}, n, verbose);
    if ((sampler == "all" && problem.name != "mixture3-3") || sampler == "networks")
      run<parnest::Batch>(problem, "batch, networks 4", {.networks = 4}, n, verbose);
    const bool compare = problem.name == "funnel-10" || problem.name == "rosenbrock-10";
    if ((sampler == "all" && compare) || sampler == "sequential")
      run<parnest::Sequential>(problem, "sequential", {.n_live = 500}, n, verbose);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  parnest::bench::line_buffered_output();
  return parnest::bench::exit_status_of(argv[0], [&] { return run_all(argc, argv); });
}
