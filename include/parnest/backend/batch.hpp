#pragma once
/// @file backend/batch.hpp
/// Importance nested sampling in batches (nautilus, Lange 2023): a sequence of ever smaller
/// bounds around the likelihood's peak, each a union of ellipsoids optionally sharpened by a
/// neural emulator of the likelihood. Every iteration draws a whole batch of points from one
/// bound, evaluated at once through the pool, and every point counts: the evidence is an
/// importance-sampling estimate over the mixture of all bounds sampled.
///
/// The algorithm is compiled into libparnest (src/batch.cpp); this header declares it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parnest/bound/kind.hpp"
#include "parnest/detail/run_handle.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/sampler.hpp"

namespace parnest {

namespace detail {
class BatchRun;
}  // namespace detail

/// The batch backend: importance nested sampling, nautilus-style.
class Batch : public detail::RunHandle<detail::BatchRun> {
 public:
  /// Options of the batch backend; validated when the Sampler is constructed.
  struct Options {
    /// Points above the threshold each new bound is built around. More follow many modes more
    /// safely, at proportionally more calls in the exploration (nautilus uses 2000; 500 gave
    /// accurate results on every reference problem at a third of the calls, docs/batch.md).
    /// At least 2 d + 2.
    std::size_t n_live = 500;
    /// Points drawn and evaluated per iteration, all at once through the pool. Independent of
    /// the pool, so that results do not depend on it; several times the pool size keeps every
    /// worker busy.
    std::size_t n_batch = 100;
    /// The exploration ends when the n_live best points hold less than this fraction of the
    /// evidence: the peak is then inside the bounds.
    double f_live = 0.01;
    /// The run ends when the Kish effective sample size of the weighted points reaches this.
    double n_eff = 10'000;
    /// Points above the last threshold after which a new bound is built (0: n_live). Each
    /// new bound then holds about half the volume of the last.
    std::size_t n_update = 0;
    /// Likelihood calls in a bound after which a new one is built even if n_update points
    /// above its threshold were not found (0: 10 n_live; 2 n_live with networks, whose bounds
    /// are tight enough that a slow fill is more often a stale bound than a poor shape:
    /// LogGamma-10 took a quarter fewer calls; docs/batch.md).
    std::size_t n_like_new_bound = 0;
    /// The ellipsoids of each bound: none (the unit cube only: plain importance sampling),
    /// single or multi.
    BoundKind bound = BoundKind::multi;
    /// Volume factor (>= 1) on top of each ellipsoid's cross-validated size (0: 1.25). Since
    /// every point counts with its proposal density, a bound that misses part of the contour
    /// costs variance, not bias, so bounds can be tighter than Sequential's (whose 1.07^d
    /// doubles the calls at 10-D here). What tight bounds do bias is the weight of the points
    /// a bound was built around, which it holds by construction: 1.0 put the 2-D eggbox 7
    /// errors low, 1.25 kept every reference problem within 3 (docs/batch.md).
    double enlarge = 0.0;
    /// Networks in the ensemble that emulates the likelihood's rank inside each bound, turning
    /// down proposals predicted below its threshold (0: ellipsoids only). Each network trains
    /// for up to a second or two per bound, one per worker. They pay where ellipsoids fit the
    /// contours badly: on LogGamma-10 they cut the calls from about 640k to about 150k
    /// (docs/batch.md). Bounds this close to the points that trained them would bias those
    /// points' weights, so with networks the result counts the sampling phase only (as
    /// discard_exploration), 30-50 % more calls on the reference problems. Off unless asked
    /// for.
    std::size_t networks = 0;
    /// Proposals (no likelihood calls) that estimate each new bound's volume; the error of
    /// that estimate enters log_z_err. Proposals made while sampling add to them.
    std::size_t volume_draws = 20'000;
    /// Leave the exploration's points out of the result (as nautilus's discard_exploration):
    /// they came from bounds built from the points themselves, a small bias in exchange for
    /// calls. The sampling phase then draws at least one batch from every bound. Always so
    /// with networks > 0.
    bool discard_exploration = false;
    /// Proposals allowed for one point before the run fails with a SamplerError.
    std::size_t max_draws = 10'000'000;
    /// The exploration's efficiency (points above the current threshold per likelihood call)
    /// below which, measured over each stretch of 200 n_live calls, the run stops with a
    /// SamplerError instead of running on for hours: each new bound would then cost more than
    /// n_update / min_efficiency calls (0: never stop).
    double min_efficiency = 1e-3;
  };

  /// The backend's name in Result::sampler and the output files.
  static constexpr const char* name = "batch";

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension);

  /// The options with their defaults resolved for this dimension, as (name, value) text.
  static std::vector<std::pair<std::string, std::string>> describe(const Options& o,
                                                                   std::size_t dimension);

  // step(), progress(), save(), load(), result(), take_notes() and stop_early() come from
  // detail::RunHandle.

 private:
  // A run of the validated model from `seed`: only Sampler::run makes one.
  Batch(const detail::Problem& problem, const Options& options, std::uint64_t seed);
  template <Backend>
  friend class Sampler;
};

#ifndef PARNEST_HEADER_ONLY
extern template class detail::RunHandle<detail::BatchRun>;
extern template class Sampler<Batch>;
#endif

}  // namespace parnest

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/batch.ipp"
#endif
