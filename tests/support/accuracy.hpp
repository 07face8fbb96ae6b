#pragma once
// The statistical check every backend must pass: over several fixed seeds, every run within 3
// reported errors of the true log Z, reported errors neither tiny nor huge compared with the
// scatter across seeds, and posterior moments right.
#include <catch2/catch.hpp>

#include <parnest/sampler.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "problems.hpp"

namespace parnest::testing {

template <class Backend>
void check_accuracy(const reference::Problem& problem, typename Backend::Options options,
                    int n_seeds, double moment_tolerance) {
  Sampler<Backend> sampler(problem.model, options);
  std::vector<double> log_z, err;
  for (int seed = 1; seed <= n_seeds; ++seed) {
    const Result r = sampler.run({.seed = static_cast<std::uint64_t>(seed), .progress = false});
    std::printf(
        "%-10s %-16s seed %d: log Z = %9.4f +- %.4f (truth %.4f, %+.2f sigma), %zu calls, "
        "n_eff %.0f, %.2f s\n",
        Backend::name, problem.name.c_str(), seed, r.log_z, r.log_z_err, problem.log_z,
        (r.log_z - problem.log_z) / r.log_z_err, r.n_like, r.n_eff, r.wall_seconds);
    CAPTURE(problem.name, seed, r.log_z, r.log_z_err, problem.log_z);
    CHECK(std::abs(r.log_z - problem.log_z) < 3 * r.log_z_err);
    const Eigen::VectorXd mean = r.mean(), sd = r.stddev();
    for (std::size_t i = 0; i < problem.mean.size(); ++i)
      CHECK(mean[static_cast<Eigen::Index>(i)] == Approx(problem.mean[i]).margin(moment_tolerance));
    for (std::size_t i = 0; i < problem.sd.size(); ++i)
      CHECK(sd[static_cast<Eigen::Index>(i)] == Approx(problem.sd[i]).epsilon(0.15));
    log_z.push_back(r.log_z);
    err.push_back(r.log_z_err);
  }
  // The reported error against the actual scatter (root mean square deviation from the truth,
  // which has a known mean): within a factor of 3 either way. Below 4 seeds the scatter itself
  // is too uncertain to judge by.
  if (n_seeds < 4) return;
  double ms = 0, mean_err = 0;
  for (std::size_t i = 0; i < log_z.size(); ++i) {
    ms += std::pow(log_z[i] - problem.log_z, 2) / static_cast<double>(log_z.size());
    mean_err += err[i] / static_cast<double>(err.size());
  }
  const double rms = std::sqrt(ms);
  std::printf("%-10s %-16s rms deviation %.4f, mean reported error %.4f\n", Backend::name,
              problem.name.c_str(), rms, mean_err);
  CHECK(mean_err < 3 * rms);
  CHECK(mean_err > rms / 3);
}

}  // namespace parnest::testing
