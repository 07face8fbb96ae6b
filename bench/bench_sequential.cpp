// Benchmark of the sequential backend on the reference problems: likelihood calls, accuracy in
// units of the reported error, wall time and the sampler's own cost per call, then parallel
// speedup with a likelihood that costs about 2 ms. Prints tables; times are medians.
//
//   build/bench/parnest_bench_sequential [seeds]      (default 3 seeds)
#include <parnest/parnest.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../tests/support/problems.hpp"
#include "median.hpp"

using parnest::bench::median;
using parnest::bench::seconds_per_model_call;

namespace {

void accuracy_table(int seeds) {
  std::printf(
      "Sequential backend, n_live 500, default options unless noted, serial pool, %d seeds "
      "(medians)\n\n",
      seeds);
  std::printf(
      "| problem | sample | calls | sigma | |dlogZ|/sigma (max) | wall s | overhead us/call |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  using parnest::Sample;
  namespace ref = parnest::reference;
  const std::pair<ref::Problem, Sample> cases[] = {
      {ref::readme_gaussian(), Sample::automatic}, {ref::gaussian(2), Sample::automatic},
      {ref::gaussian_shells(), Sample::automatic}, {ref::eggbox(), Sample::automatic},
      {ref::rosenbrock(), Sample::automatic},      {ref::gaussian(10), Sample::automatic},
      {ref::gaussian(10), Sample::uniform},        {ref::correlated_gaussian(), Sample::automatic},
      {ref::gaussian(30), Sample::automatic}};
  for (const auto& [problem, sample] : cases) {
    parnest::Sampler<parnest::Sequential> sampler(problem.model, {.n_live = 500, .sample = sample});
    const double model_cost = seconds_per_model_call(problem.model);
    std::vector<double> calls, sigma, pull, wall, overhead;
    for (int seed = 1; seed <= seeds; ++seed) {
      const parnest::Result r =
          sampler.run({.ncores = 1, .seed = static_cast<std::uint64_t>(seed)});
      calls.push_back(static_cast<double>(r.n_like));
      sigma.push_back(r.log_z_err);
      pull.push_back(std::abs(r.log_z - problem.log_z) / r.log_z_err);
      wall.push_back(r.wall_seconds);
      overhead.push_back((r.wall_seconds - model_cost * static_cast<double>(r.n_like)) /
                         static_cast<double>(r.n_like) * 1e6);
    }
    std::printf("| %s | %s | %.0f | %.3f | %.2f (%.2f) | %.3f | %.2f |\n", problem.name.c_str(),
                sample == Sample::uniform ? "uniform" : "automatic", median(calls), median(sigma),
                median(pull), *std::max_element(pull.begin(), pull.end()), median(wall),
                median(overhead));
  }
}

void speedup_table() {
  // gauss-2 whose likelihood spins for 2 ms of CPU time: what a costly model looks like.
  auto problem = parnest::reference::gaussian(2);
  const auto cheap = problem.model.log_likelihood;
  problem.model.log_likelihood = [cheap](std::span<const double> theta) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(2000);
    while (std::chrono::steady_clock::now() < until) {
    }
    return cheap(theta);
  };
  std::printf("\nParallel speedup, gauss-2 with a 2 ms likelihood, n_live 100, seed 1\n\n");
  std::printf(
      "| k (n_replace) | pool | calls | wall s | ideal s (calls x 2 ms / workers) | speedup vs "
      "serial k=10 |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  double serial = 0;
  struct Case {
    std::size_t k;
    int ncores;
  };
  for (const Case c : {Case{10, 1}, Case{10, 2}, Case{1, 2}}) {
    parnest::Sampler<parnest::Sequential> sampler(problem.model, {.n_live = 100, .n_replace = c.k});
    const parnest::Result r = sampler.run({.ncores = c.ncores, .seed = 1});
    if (c.ncores == 1 && c.k == 10) serial = r.wall_seconds;
    std::printf("| %zu | %s | %zu | %.2f | %.2f | %.2f |\n", c.k, r.pool.c_str(), r.n_like,
                r.wall_seconds, static_cast<double>(r.n_like) * 2e-3 / c.ncores,
                serial / r.wall_seconds);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 3;
  accuracy_table(seeds);
  speedup_table();
}
