// A run on a budget, as a batch job with a time limit runs it: max_seconds (or max_calls)
// ends it cleanly before the limit, its checkpoint keeps the state before the stop, and the
// next job, started with the same command, goes on from there until the result carries no
// budget warning. A file named STOP in the working directory ends it early, like SIGTERM. Its
// notes, warnings and status go to the program's own log through a parnest::Logger.
// docs/user-guide.md and docs/output-and-checkpoints.md quote this file.
//
//   build/examples/parnest_example_budgeted [max_calls [max_seconds]]
//   exit code 0: finished; 4: stopped by the budget (run again to go on); 3: interrupted
#include <parnest/parnest.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stop_token>
#include <string>

struct ToMyLog : parnest::Logger {
  void message(parnest::LogLevel level, const std::string& text) override {
    std::cout << (level == parnest::LogLevel::warning ? "[warn] " : "[info] ") << text << '\n';
  }
  void progress(const parnest::Progress& p) override {  // optional: the status
    std::cout << "[info] " << p.n_like << " calls, log Z " << p.log_z << '\n';
  }
};

int main(int argc, char** argv) {
  const std::size_t max_calls = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 0;
  const double max_seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 3000;  // a 1-hour job

  // A 6-D Gaussian of width 0.05 in the unit cube: log Z = 0 to within 1e-80.
  parnest::Model model;
  model.names = {"a", "b", "c", "d", "e", "f"};
  model.prior = parnest::Priors()
                    .add("a", parnest::uniform(0, 1))
                    .add("b", parnest::uniform(0, 1))
                    .add("c", parnest::uniform(0, 1))
                    .add("d", parnest::uniform(0, 1))
                    .add("e", parnest::uniform(0, 1))
                    .add("f", parnest::uniform(0, 1));
  model.log_likelihood = [](std::span<const double> x) {
    double chi2 = 0;
    for (double xi : x) chi2 += (xi - 0.5) * (xi - 0.5) / (0.05 * 0.05);
    return -0.5 * chi2 - 6 * std::log(0.05 * std::sqrt(2 * M_PI));
  };

  parnest::Sampler<parnest::Batch> sampler(model);
  std::stop_source stop;
  try {
    const parnest::Result result = sampler.run({
        .seed = 11,
        .checkpoint = "out/budgeted.ckpt",
        .on_progress = [&](const parnest::Progress&) {
          if (std::filesystem::exists("STOP")) stop.request_stop();  // ends the run cleanly
        },
        .max_calls = max_calls,
        .max_seconds = max_seconds,
        .logger = std::make_shared<ToMyLog>(),
        .stop = stop.get_token(),
    });
    std::printf("log Z = %.4f +- %.4f (truth 0) after %zu calls\n", result.log_z,
                result.log_z_err, result.n_like);
    for (const auto& warning : result.warnings)
      if (warning.starts_with("stopped at max_")) return 4;  // run again to go on
  } catch (const parnest::Interrupted& stopped) {
    std::printf("%s\n", stopped.what());
    return 3;
  }
  return 0;
}
