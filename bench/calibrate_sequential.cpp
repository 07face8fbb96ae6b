// Calibration of the sequential backend: for each reference problem, runs seeds 1..N with the
// default options and compares the scatter of log Z around the truth with the reported error.
// Slow (minutes; gauss-30 dominates), so a benchmark, not a test.
//
//   build/bench/parnest_calibrate_sequential [seeds=20] [problem|all] [option=value ...]
//
// Options override the defaults, to reproduce how each default was chosen (docs/sequential.md):
// n_live, enlarge, slices (numbers); bound = none|single|multi;
// sample = automatic|uniform|random_walk|slice|random_slice.
#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../tests/support/problems.hpp"

namespace {
// Sets `out` to the enum value whose parnest::name() is `text`; false if there is none.
template <class Enum>
bool parse_name(const std::string& text, std::size_t values, Enum& out) {
  for (std::size_t i = 0; i < values; ++i)
    if (text == parnest::name(static_cast<Enum>(i))) {
      out = static_cast<Enum>(i);
      return true;
    }
  return false;
}

// Applies "name=value" to the options; exits with a message on anything unknown.
void apply(const std::string& setting, parnest::Sequential::Options& o) {
  const auto eq = setting.find('=');
  const std::string key = setting.substr(0, eq),
                    value = eq == std::string::npos ? "" : setting.substr(eq + 1);
  bool known = true;
  if (key == "n_live")
    o.n_live = std::stoul(value);
  else if (key == "enlarge")
    o.enlarge = std::stod(value);
  else if (key == "slices")
    o.slices = std::stoul(value);
  else if (key == "bound")
    known = parse_name(value, parnest::detail::bound_kinds, o.bound);
  else if (key == "sample")
    known = parse_name(value, parnest::detail::sample_kinds, o.sample);
  else
    known = false;
  if (!known) {
    std::fprintf(stderr, "unknown setting %s\n", setting.c_str());
    std::exit(2);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 20;
  const std::string only = argc > 2 && std::string(argv[2]) != "all" ? argv[2] : "";
  parnest::Sequential::Options options{.n_live = 500};
  std::string settings;
  for (int i = 3; i < argc; ++i) {
    apply(argv[i], options);
    settings += std::string(" ") + argv[i];
  }
  namespace ref = parnest::reference;
  std::printf("Sequential, n_live 500, default options%s, ncores 2, seeds 1-%d\n\n",
              settings.c_str(), seeds);
  std::printf(
      "| problem | RMS dev | mean error (shrinkage) | mean error (H) | bias | max |pull| | "
      "beyond 2 / 3 sigma | mean calls |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  // readme-gauss-2 (the README's quickstart problem) runs only when asked for by name.
  for (const auto& problem :
       {ref::gaussian(2), ref::gaussian_shells(), ref::eggbox(), ref::rosenbrock(),
        ref::gaussian(10), ref::correlated_gaussian(), ref::gaussian(30), ref::readme_gaussian()}) {
    if (only.empty() ? problem.name == "readme-gauss-2" : problem.name != only) continue;
    parnest::Sampler<parnest::Sequential> sampler(problem.model, options);
    double ms = 0, err = 0, err_h = 0, bias = 0, worst = 0, calls = 0;
    int beyond2 = 0, beyond3 = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      const parnest::Result r =
          sampler.run({.ncores = 2, .seed = static_cast<std::uint64_t>(seed)});
      const double delta = r.log_z - problem.log_z;
      ms += delta * delta / seeds;
      err += r.log_z_err / seeds;
      err_h += r.log_z_err_information / seeds;
      bias += delta / seeds;
      const double pull = std::abs(delta) / r.log_z_err;
      worst = std::max(worst, pull);
      beyond2 += pull > 2 ? 1 : 0;
      beyond3 += pull > 3 ? 1 : 0;
      calls += static_cast<double>(r.n_like) / seeds;
    }
    std::printf("| %s | %.3f | %.3f | %.3f | %+.3f | %.2f | %d / %d | %.0f |\n",
                problem.name.c_str(), std::sqrt(ms), err, err_h, bias, worst, beyond2, beyond3,
                calls);
    std::fflush(stdout);
  }
}
