#pragma once
/// @file backend/sequential.hpp
/// Static nested sampling (Skilling 2004), as in dynesty, MultiNest and PolyChord: n_live
/// points; each iteration removes the k lowest and replaces them, in parallel, with points
/// drawn under the likelihood constraint by a constrained move (uniform in a bound of one or
/// several ellipsoids, a random walk, or slice sampling).
///
/// The algorithm is compiled into libparnest (src/sequential.cpp); this header declares it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parnest/bound/kind.hpp"
#include "parnest/detail/enum_count.hpp"
#include "parnest/detail/run_handle.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/sampler.hpp"

namespace parnest {

namespace detail {
class SequentialRun;
}  // namespace detail

/// How replacement points are drawn under the likelihood constraint.
enum class Sample {
  automatic,    ///< uniform while it is cheap, then random_slice (see Sequential::Options)
  uniform,      ///< rejection sampling from the bound
  random_walk,  ///< Metropolis walk from a live point, adaptive step
  slice,        ///< slice sampling along the whitened axes in turn
  random_slice  ///< slice sampling along random whitened directions
};

namespace detail {
template <>
inline constexpr std::size_t enum_count<Sample> = 5;
}

/// The value's name as in options and output files ("random_slice").
inline const char* name(Sample sample) {
  constexpr const char* names[detail::enum_count<Sample>] = {"automatic", "uniform", "random_walk",
                                                             "slice", "random_slice"};
  return names[static_cast<std::size_t>(sample)];
}

/// The sequential backend: static nested sampling, dynesty-style.
class Sequential : public detail::RunHandle<detail::SequentialRun> {
 public:
  /// Options of the sequential backend; validated when the Sampler is constructed.
  struct Options {
    /// Live points. More gives a smaller error (it falls as 1/sqrt(n_live)) at
    /// proportionally more likelihood calls. At least 2 d + 2.
    std::size_t n_live = 500;
    /// Stop when the evidence still held by the live points, estimated as max(L_live) X,
    /// would change log Z by less than this.
    double dlogz = 0.1;
    /// k: live points removed and replaced per iteration, the replacements drawn in parallel
    /// through the pool. The shrinkage of removing k at once is accounted exactly; the cost is
    /// an effective live count of about n_live - k / 2. 0 picks max(1, n_live / 50).
    /// Independent of the pool, so results do not depend on it.
    std::size_t n_replace = 0;
    /// The bound around the live points: none (the unit cube), single or multi ellipsoids.
    BoundKind bound = BoundKind::multi;
    /// The constrained move. automatic: uniform sampling from the bound while it needs fewer
    /// likelihood calls per point than 9 d (about what 2 d to 3 d slices cost), then
    /// random_slice for the rest of the run (docs/sequential.md).
    Sample sample = Sample::automatic;
    /// Volume factor (>= 1) applied to each ellipsoid on top of its cross-validated size.
    /// 0 picks max(1.25, 1.07^d): a bound built from n_live points misses a small part of the
    /// contour it should hold, more so as d grows; with a fixed 1.25 the reported error was
    /// 1.46 times too small at 10-D (docs/sequential.md).
    double enlarge = 0.0;
    /// Rebuild the bound after this many times n_live likelihood calls since the last one.
    double update_interval = 1.5;
    /// Steps of a random walk (a fixed number, so that the walk leaves the uniform
    /// distribution inside the contour unchanged).
    std::size_t walks = 25;
    /// Slice updates per replacement (random_slice), or rounds of d updates (slice).
    /// 0 picks 2 d for random_slice and 3 for slice: fewer leave each new point's radius
    /// correlated with its start point's, which biases log Z upwards in many dimensions
    /// (+0.44 at 30-D with d + 3 slices; calibrated with 2 d over 20 seeds; docs/sequential.md).
    std::size_t slices = 0;
    /// Stop after this many iterations even if dlogz is not reached (0: no limit). The result
    /// then covers only the prior volume explored so far. (RunOptions::max_calls and
    /// max_seconds budget calls and time, for every backend.)
    std::size_t max_iterations = 0;
    /// Proposals allowed for one replacement point (or one slice) before the run fails with a
    /// SamplerError: a likelihood plateau, or a vanishing constrained region.
    std::size_t max_draws = 10'000'000;
  };

  /// The backend's name in Result::sampler and the output files.
  static constexpr const char* name = "sequential";

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension);

  /// The options with their defaults resolved for this dimension, as (name, value) text.
  static std::vector<std::pair<std::string, std::string>> describe(const Options& o,
                                                                   std::size_t dimension);

  // step(), progress(), save(), load(), result(), take_notes() and stop_early() come from
  // detail::RunHandle.

 private:
  // A run of the validated model from `seed`: only Sampler::run makes one.
  Sequential(const detail::Problem& problem, const Options& options, std::uint64_t seed);
  template <Backend>
  friend class Sampler;
};

#ifndef PARNEST_HEADER_ONLY
extern template class detail::RunHandle<detail::SequentialRun>;
extern template class Sampler<Sequential>;
#endif

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/sequential.ipp"
#endif
