#pragma once
/// @file sampler.hpp
/// The core: runs a backend (the algorithm) through a pool (the parallelism).

#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "parnest/detail/problem.hpp"
#include "parnest/detail/select_pool.hpp"
#include "parnest/env.hpp"
#include "parnest/model.hpp"
#include "parnest/options.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/result.hpp"

namespace parnest {

/// What Sampler needs of an algorithm: options it validates, a constructor from the problem,
/// one iteration at a time through a pool, and the result at the end.
template <class B>
concept Backend = requires(B backend, const B& done, Pool& pool, const typename B::Options& options,
                           std::size_t dimension) {
  {B::validate(options, dimension)};
  { backend.step(pool) } -> std::same_as<bool>;
  { done.result() } -> std::same_as<Result>;
  { B::name } -> std::convertible_to<const char*>;
}
&&std::constructible_from<B, const detail::Problem&, const typename B::Options&, std::uint64_t>;

/// Samples a model's posterior and computes its evidence with the algorithm `B`
/// (parnest::Sequential, ...).
///
/// @code
/// parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 500});
/// parnest::Result result = sampler.run({.ncores = 2, .seed = 42});
/// @endcode
template <Backend B>
class Sampler {
 public:
  /// @throws ConfigError if the model is incomplete, its prior writes a number of values
  /// other than names.size(), or an option is out of range.
  explicit Sampler(Model model, typename B::Options options = {})
      : problem_(std::move(model)), options_(options) {
    B::validate(options_, problem_.dimension());
  }

  /// Runs to completion. Can be called several times (with different seeds, say).
  /// @throws ConfigError for contradictory run options; LikelihoodError when the likelihood
  /// throws or returns NaN/+inf (naming the point); SamplerError when the sampler cannot
  /// make progress.
  Result run(const RunOptions& run_options = {}) {
    const auto start = std::chrono::steady_clock::now();
    const detail::PoolSelection selection =
        detail::select_pool(run_options, problem_.model(), detect_environment(), chosen_pool_);
    if (run_options.pool.empty()) chosen_pool_ = selection.pool;
    B backend(problem_, options_, run_options.seed);
    while (backend.step(*selection.pool)) {
    }
    Result result = backend.result();
    for (auto& warning : selection.pool->take_warnings()) result.warnings.push_back(warning);
    result.names = problem_.model().names;
    result.sampler = B::name;
    result.pool = selection.pool->describe();
    if (!selection.note.empty()) result.warnings.insert(result.warnings.begin(), selection.note);
    if (is_root())
      for (const auto& warning : result.warnings)
        std::fprintf(stderr, "parnest: warning: %s\n", warning.c_str());
    result.seed = run_options.seed;
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }

  const typename B::Options& options() const noexcept { return options_; }

 private:
  detail::Problem problem_;
  typename B::Options options_;
  std::shared_ptr<Pool> chosen_pool_;  // the pool run() chose last; its workers are reused
};

}  // namespace parnest
