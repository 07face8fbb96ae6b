// Calibration of any backend on the public benchmark suite (tests/support/problems.hpp,
// reference::suite()): for each problem, runs SEEDS seeds and compares log Z with the truth in
// units of the reported error. Slow (minutes to hours), so a benchmark, not a test.
//
//   build/bench/parnest_calibrate BACKEND SEEDS [PROBLEM ...] [option=value ...]
//
// BACKEND: batch, sequential or smc. PROBLEM: names from the suite (all of them if none is
// given). Seeds run from 1001 (held out: every default was tuned on seeds 1-20); first=N
// changes that, ncores=N the pool (results do not depend on it). Other settings set the
// backend's options by name, as in its Options struct (numbers, true/false, or the name of a
// bound or move), so that every default can be re-measured against its alternatives.
// PARNEST_CALIBRATE_VERBOSE=1 prints every run.
//
// Per problem: the rms of the pulls (Delta log Z / sigma), their mean with its standard
// error (the bias in units of the error), the largest |pull|, the runs beyond 2 and 3 sigma,
// the median calls and sigma, and runs that failed with an error; then the same pooled over
// every problem run.
#include <parnest/parnest.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../tests/support/problems.hpp"
#include "median.hpp"
#include "seed_loop.hpp"

namespace {

template <class Options>
using Setter = std::function<bool(Options&, const std::string&)>;

// Setters of one option from its text, by the field's type.
template <class Options, class T>
Setter<Options> field(T Options::*member) {
  return [member](Options& o, const std::string& text) {
    if constexpr (std::is_same_v<T, bool>) {
      if (text != "true" && text != "false") return false;
      o.*member = text == "true";
    } else if constexpr (std::is_same_v<T, double>) {
      o.*member = std::stod(text);
    } else {
      static_assert(std::is_same_v<T, std::size_t>, "an enum takes choice()");
      o.*member = std::stoul(text);
    }
    return true;
  };
}

// The setter of an enum option with `count` values, named by parnest::name().
template <class Options, class Enum>
Setter<Options> choice(Enum Options::*member, std::size_t count) {
  return [member, count](Options& o, const std::string& text) {
    for (std::size_t i = 0; i < count; ++i)
      if (text == parnest::name(static_cast<Enum>(i))) {
        o.*member = static_cast<Enum>(i);
        return true;
      }
    return false;
  };
}

// The options each backend can be calibrated with, by name.
template <class Backend>
std::map<std::string, Setter<typename Backend::Options>> settings();

template <>
std::map<std::string, Setter<parnest::Batch::Options>> settings<parnest::Batch>() {
  using O = parnest::Batch::Options;
  return {{"n_live", field(&O::n_live)},
          {"n_batch", field(&O::n_batch)},
          {"f_live", field(&O::f_live)},
          {"n_eff", field(&O::n_eff)},
          {"n_update", field(&O::n_update)},
          {"n_like_new_bound", field(&O::n_like_new_bound)},
          {"bound", choice(&O::bound, parnest::detail::enum_count<parnest::BoundKind>)},
          {"enlarge", field(&O::enlarge)},
          {"networks", field(&O::networks)},
          {"discard_exploration", field(&O::discard_exploration)},
          {"min_efficiency", field(&O::min_efficiency)}};
}

template <>
std::map<std::string, Setter<parnest::Sequential::Options>> settings<parnest::Sequential>() {
  using O = parnest::Sequential::Options;
  return {{"n_live", field(&O::n_live)},
          {"dlogz", field(&O::dlogz)},
          {"n_replace", field(&O::n_replace)},
          {"bound", choice(&O::bound, parnest::detail::enum_count<parnest::BoundKind>)},
          {"sample", choice(&O::sample, parnest::detail::enum_count<parnest::Sample>)},
          {"enlarge", field(&O::enlarge)},
          {"walks", field(&O::walks)},
          {"slices", field(&O::slices)}};
}

template <>
std::map<std::string, Setter<parnest::Smc::Options>> settings<parnest::Smc>() {
  using O = parnest::Smc::Options;
  return {{"n_eff_per_step", field(&O::n_eff_per_step)},
          {"n_active", field(&O::n_active)},
          {"n_eff", field(&O::n_eff)},
          {"flow", field(&O::flow)},
          {"target_acceptance", field(&O::target_acceptance)},
          {"max_correlation", field(&O::max_correlation)},
          {"max_steps", field(&O::max_steps)},
          {"refine_draws", field(&O::refine_draws)}};
}

struct Tally {
  std::vector<double> pulls, calls, sigma;
  int failed = 0;
};

void print_row(const std::string& name, const Tally& t) {
  const auto n = static_cast<double>(t.pulls.size());
  double sum = 0, sum2 = 0, worst = 0;
  int beyond2 = 0, beyond3 = 0;
  for (double p : t.pulls) {
    sum += p;
    sum2 += p * p;
    worst = std::max(worst, std::abs(p));
    beyond2 += std::abs(p) > 2 ? 1 : 0;
    beyond3 += std::abs(p) > 3 ? 1 : 0;
  }
  const double mean = sum / n;
  const double se = n > 1 ? std::sqrt(std::max(0.0, sum2 / n - mean * mean) / (n - 1)) : NAN;
  // The pooled row has no calls or sigma of its own: different problems' are not comparable.
  const auto median_or_dash = [](const std::vector<double>& v, const char* format) {
    if (v.empty()) return std::string("-");
    char text[32];
    std::snprintf(text, sizeof text, format, parnest::bench::median(v));
    return std::string(text);
  };
  std::printf("| %s | %zu | %.2f | %+.2f +- %.2f | %.2f | %d / %d | %s | %s | %d |\n", name.c_str(),
              t.pulls.size(), t.pulls.empty() ? NAN : std::sqrt(sum2 / n),
              t.pulls.empty() ? NAN : mean, se, worst, beyond2, beyond3,
              median_or_dash(t.calls, "%.0f").c_str(), median_or_dash(t.sigma, "%.4f").c_str(),
              t.failed);
  std::fflush(stdout);
}

template <class Backend>
int calibrate(const std::vector<parnest::reference::Problem>& suite, int seeds,
              const std::vector<std::string>& problems,
              const std::vector<std::string>& options_text) {
  typename Backend::Options options{};
  int ncores = 1;
  std::size_t max_calls = 0;  // a run option, for every backend
  std::uint64_t first = 1001;
  const auto known = settings<Backend>();
  for (const std::string& setting : options_text) {
    const auto eq = setting.find('=');
    const std::string key = setting.substr(0, eq), value = setting.substr(eq + 1);
    bool ok = true;
    try {
      if (key == "ncores")
        ncores = std::stoi(value);
      else if (key == "max_calls")
        max_calls = std::stoul(value);
      else if (key == "first")
        first = std::stoull(value);
      else if (const auto it = known.find(key); it != known.end())
        ok = it->second(options, value);
      else
        ok = false;
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "parnest_calibrate: %s is not a setting of %s\n", setting.c_str(),
                   Backend::name);
      return 2;
    }
  }
  const bool verbose = std::getenv("PARNEST_CALIBRATE_VERBOSE") != nullptr;
  std::string described;
  for (const auto& s : options_text) described += " " + s;
  std::printf(
      "%s%s, seeds %llu-%llu, ncores %d\n\n", Backend::name,
      described.empty() ? " (defaults)" : described.c_str(), static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(first + static_cast<std::uint64_t>(seeds) - 1), ncores);
  std::printf(
      "| problem | runs | rms pull | mean pull +- se | max |pull| | beyond 2 / 3 sigma | calls "
      "(median) | sigma (median) | failed |\n| --- | --- | --- | --- | --- | --- | --- | --- | "
      "--- |\n");
  Tally pooled;
  for (const auto& problem : suite) {
    if (!problems.empty() &&
        std::find(problems.begin(), problems.end(), problem.name) == problems.end())
      continue;
    parnest::Sampler<Backend> sampler(problem.model, options);
    Tally t;
    for (int s = 0; s < seeds; ++s) {
      const std::uint64_t seed = first + static_cast<std::uint64_t>(s);
      try {
        const parnest::Result r = sampler.run(
            {.ncores = ncores, .seed = seed, .progress = false, .max_calls = max_calls});
        const double pull = (r.log_z - problem.log_z) / r.log_z_err;
        t.pulls.push_back(pull);
        t.calls.push_back(static_cast<double>(r.n_like));
        t.sigma.push_back(r.log_z_err);
        if (verbose)
          std::printf("  %s seed %llu: log Z %.5f +- %.5f (truth %.5f, pull %+.2f), %zu calls\n",
                      problem.name.c_str(), static_cast<unsigned long long>(seed), r.log_z,
                      r.log_z_err, problem.log_z, pull, r.n_like);
      } catch (const parnest::Interrupted&) {
        throw;  // the whole calibration stops (main), not just this seed
      } catch (const parnest::Error& e) {
        ++t.failed;
        std::printf("  %s seed %llu: %s\n", problem.name.c_str(),
                    static_cast<unsigned long long>(seed), e.what());
      }
    }
    print_row(problem.name, t);
    pooled.pulls.insert(pooled.pulls.end(), t.pulls.begin(), t.pulls.end());
    pooled.failed += t.failed;
  }
  print_row("pooled", pooled);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  parnest::bench::line_buffered_output();
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s batch|sequential|smc SEEDS [PROBLEM ...] [option=value ...]\n",
                 argv[0]);
    return 2;
  }
  const std::string backend = argv[1];
  const int seeds = std::atoi(argv[2]);
  std::vector<std::string> problems, options;
  for (int i = 3; i < argc; ++i)
    (std::string(argv[i]).find('=') == std::string::npos ? problems : options).push_back(argv[i]);
  const std::vector<parnest::reference::Problem> suite = parnest::reference::suite();
  for (const auto& p : problems)
    if (std::none_of(suite.begin(), suite.end(), [&](const auto& s) { return s.name == p; })) {
      std::fprintf(stderr, "parnest_calibrate: no problem %s in the suite\n", p.c_str());
      return 2;
    }
  return parnest::bench::exit_status_of(argv[0], [&] {
    if (backend == "batch") return calibrate<parnest::Batch>(suite, seeds, problems, options);
    if (backend == "sequential")
      return calibrate<parnest::Sequential>(suite, seeds, problems, options);
    if (backend == "smc") return calibrate<parnest::Smc>(suite, seeds, problems, options);
    std::fprintf(stderr, "parnest_calibrate: unknown backend %s (batch, sequential, smc)\n",
                 backend.c_str());
    return 2;
  });
}
