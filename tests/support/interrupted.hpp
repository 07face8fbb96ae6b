#pragma once
// Runs a sampler whose likelihood raises SIGTERM at given calls, resuming from the checkpoint
// after each interruption: what a scheduler's preemption does to a run.
#include <catch2/catch.hpp>

#include <parnest/sampler.hpp>

#include <csignal>
#include <filesystem>
#include <memory>
#include <vector>

#include "scratch.hpp"

namespace parnest::testing {

/// The result of the run once it has been interrupted (and resumed) at every one of `calls`.
template <class Backend>
Result run_interrupted(Model model, const typename Backend::Options& options, std::uint64_t seed,
                       std::vector<std::size_t> calls, const char* scratch_name) {
  const auto dir = scratch(scratch_name);
  auto counter = std::make_shared<std::size_t>(0);
  model.log_likelihood = [counter, calls, inner = model.log_likelihood](std::span<const double> x) {
    ++*counter;
    for (std::size_t at : calls)
      if (*counter == at) std::raise(SIGTERM);
    return inner(x);
  };
  Sampler<Backend> sampler(model, options);
  const RunOptions run{
      .ncores = 1, .seed = seed, .checkpoint = (dir / "run.ckpt").string(), .progress = false};
  std::size_t interruptions = 0;
  Result result;
  for (std::size_t attempt = 0; attempt <= calls.size(); ++attempt) {
    try {
      result = sampler.run(run);
      break;
    } catch (const Interrupted& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains("checkpoint written to"));
      ++interruptions;
    }
  }
  CHECK(interruptions == calls.size());
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace parnest::testing
