// A run that survives the scheduler: it checkpoints, stops cleanly on SIGTERM (which batch
// schedulers send before a time limit), and continues where it stopped when started again
// with the same command. docs/output-and-checkpoints.md quotes this file.
//
//   build/examples/parnest_example_resumable          # run (or resume) into out/shells*
#include <parnest/parnest.hpp>

#include <cmath>
#include <cstdio>

int main() {
  // Two Gaussian shells (Feroz, Hobson & Bridges 2009): log Z = -1.75.
  parnest::Model model;
  model.names = {"x", "y"};
  model.prior = parnest::Priors().add("x", parnest::uniform(-6, 6)).add("y", parnest::uniform(-6, 6));
  model.log_likelihood = [](std::span<const double> p) {
    auto shell = [&](double cx) {
      const double r = std::hypot(p[0] - cx, p[1]);
      return -0.5 * std::pow((r - 2.0) / 0.1, 2) - std::log(std::sqrt(2 * M_PI * 0.01));
    };
    const double a = shell(-3.5), b = shell(3.5);
    return std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
  };

  parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 1000});
  try {
    const parnest::Result result = sampler.run({
        .seed = 7,
        .checkpoint = "out/shells.ckpt",  // resumed from if it exists
        .checkpoint_every = 60,           // seconds
        .on_progress = [](const parnest::Progress& p) {
          if (p.finished) std::printf("finished after %zu iterations\n", p.iteration);
        },
    });
    parnest::write(result, "out/shells");  // out/shells.txt, _dead-birth.txt, _summary.json...
    std::printf("log Z = %.3f +- %.3f (truth -1.75)\n", result.log_z, result.log_z_err);
  } catch (const parnest::Interrupted& stopped) {
    std::printf("%s\n", stopped.what());  // says where the checkpoint is
    return 3;                             // the job script can requeue itself on this code
  }
  return 0;
}
