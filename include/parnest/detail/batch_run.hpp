#pragma once
// The state and steps of one Batch run (parnest::Batch forwards to it; see
// backend/batch.hpp for the options). Compiled into libparnest by src/batch.cpp, or
// into the user's program in header-only mode.
//
// Importance nested sampling in batches (nautilus, Lange 2023): a sequence of ever smaller
// bounds around the likelihood's peak, each a union of ellipsoids optionally sharpened by a
// neural emulator of the likelihood. Every iteration draws a whole batch of points from one
// bound, evaluated at once through the pool, and every point counts: the evidence is an
// importance-sampling estimate over the mixture of all bounds sampled.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "parnest/backend/batch.hpp"
#include "parnest/bound/face_mirrors.hpp"
#include "parnest/bound/shell_bound.hpp"
#include "parnest/bound/union.hpp"
#include "parnest/detail/evaluate_task.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/interrupts.hpp"
#include "parnest/detail/likelihood_probes.hpp"
#include "parnest/detail/log_sum.hpp"
#include "parnest/detail/memory_check.hpp"
#include "parnest/detail/mixture_estimator.hpp"
#include "parnest/detail/option_table.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/detail/spread.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"
#include "parnest/neural/emulator.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

class BatchRun {
 public:
  using Options = Batch::Options;

  /// Each option: its rule and the value the run uses (detail/option_table.hpp).
  static const std::vector<OptionRow<Options>>& option_table() {
    using O = Options;
    static const std::vector<OptionRow<O>> table = {
        option("n_live", &O::n_live, rule::enough_live_points()),
        option("n_batch", &O::n_batch, rule::at_least(1)),
        option("f_live", &O::f_live, rule::strictly_between(0.0, 1.0)),
        option("n_eff", &O::n_eff, rule::finite_above(0.0)),
        option("n_update", &O::n_update, rule::none(),
               [](const O& o, std::size_t) { return resolved_update(o); }),
        option("n_like_new_bound", &O::n_like_new_bound, rule::none(),
               [](const O& o, std::size_t) { return resolved_like_new_bound(o); }),
        option("bound", &O::bound, rule::none()),
        option("enlarge", &O::enlarge, rule::zero_or(rule::finite_above(1.0, false)),
               resolved_enlarge),
        option("networks", &O::networks, rule::at_most(64)),
        option("volume_draws", &O::volume_draws, rule::at_least(100)),
        option("discard_exploration", &O::discard_exploration, rule::none(),
               [](const O& o, std::size_t) -> std::string {
                 return o.discard_exploration     ? "true"
                        : discards_exploration(o) ? "true (networks)"
                                                  : "false";
               }),
        option("max_draws", &O::max_draws, rule::at_least(1)),
        option("min_efficiency", &O::min_efficiency,
               [](double v, const O&, std::size_t) {
                 return v >= 0.0 && v < 1.0
                            ? std::string()
                            : std::string("must lie in [0, 1) (0 never stops a slow exploration)");
               }),
    };
    return table;
  }

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension) {
    validate_options("Batch", option_table(), o, dimension);
    check_fits_memory(stored_points(o, dimension));
  }

  // A run of the validated model from `seed` (the Sampler validated the options when it was
  // made). A first step that holds over a gigabyte of points is noted before it starts.
  BatchRun(const Problem& problem, const Options& options, std::uint64_t seed)
      : problem_(problem),
        options_(options),
        seed_(seed),
        d_(problem.dimension()),
        notes_(detail::large_run_note(stored_points(options, d_))) {}

  /// The options with their defaults resolved for this dimension, as (name, value) text.
  static std::vector<std::pair<std::string, std::string>> describe(const Options& o,
                                                                   std::size_t dimension) {
    return describe_options(option_table(), o, dimension);
  }

  /// Runs one iteration (one batch) through `pool`. Returns false once the run has finished.
  bool step(Pool& pool) {
    if (phase_ == Phase::done) return false;
    if (bounds_.empty()) {
      append_bound(ShellBound{});
      // The cube's first fill: n_live points to build the first bound from, plus n_update.
      start_fill(-std::numeric_limits<double>::infinity(),
                 resolved_update(options_) + options_.n_live, max_size);
    }
    if (phase_ == Phase::exploring) {
      draw_batch(pool, current_);
      check_efficiency();
      if (fill_done()) {
        record_fill();
        if (live_fraction() > options_.f_live || still_climbing())
          add_bound(pool);
        else
          start_sampling();
      }
    } else {
      const std::size_t k =
          pending_.empty() ? estimator_.most_useful_bound(log_volumes()) : pending_.back();
      if (!pending_.empty()) pending_.pop_back();
      draw_batch(pool, k);
    }
    ++iteration_;
    if (phase_ == Phase::sampling && pending_.empty() &&
        estimator_.effective_size() >= options_.n_eff)
      phase_ = Phase::done;
    return true;
  }

  /// Likelihood calls so far.
  std::size_t n_like() const noexcept { return n_like_; }

  /// Where the run stands: during the exploration, the live evidence fraction against f_live;
  /// then the effective sample size still to go.
  Progress progress() const {
    Progress p;
    p.iteration = iteration_;
    p.n_like = n_like_;
    p.log_z = log_z();
    if (phase_ == Phase::exploring) {
      p.remaining = bounds_.empty() ? 1.0 : live_fraction_;
      p.target = options_.f_live;
      p.remaining_name = "f_live";
    } else {
      p.remaining = std::max(0.0, options_.n_eff - estimator_.effective_size());
      p.target = 0.0;
      p.remaining_name = "n_eff to go";
    }
    p.efficiency = n_like_ > 0 ? estimator_.effective_size() / static_cast<double>(n_like_) : 0.0;
    return p;
  }

  /// The evidence and weighted points; call once step() has returned false.
  Result result() const {
    Result r;
    const std::size_t n = log_l_.size() - counted_from_;
    const auto rows = static_cast<Eigen::Index>(n), d = static_cast<Eigen::Index>(d_);
    r.samples = Eigen::Map<const RowMatrix>(theta_.data() + counted_from_ * d_, rows, d);
    r.log_likelihoods = Eigen::Map<const Eigen::VectorXd>(log_l_.data() + counted_from_, rows);
    r.log_z = log_z();
    r.log_weights.resize(rows);
    double h = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = counted_from_ + i;
      const double log_w = log_l_[at] - estimator_.log_d(pattern_[at]) - r.log_z;
      r.log_weights[static_cast<Eigen::Index>(i)] = log_w;
      if (log_w > -std::numeric_limits<double>::infinity()) h += std::exp(log_w) * log_l_[at];
    }
    r.information = std::max(0.0, h - r.log_z);
    r.n_eff = estimator_.effective_size();
    r.log_z_err = bootstrap_error();
    r.log_z_err_information =
        std::sqrt(std::max(0.0, 1.0 / r.n_eff - 1.0 / static_cast<double>(n)));
    r.n_like = n_like_;
    r.n_iterations = iteration_;
    r.warnings = warnings_;
    return r;
  }

  /// Notes for the user since the last call (Sampler prints them as the run goes on).
  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }

  /// Ends the run now with what it has; says what the result misses (nothing if it had ended).
  std::optional<std::string> stop_early() {
    if (phase_ == Phase::done) return std::nullopt;
    std::string missing = phase_ == Phase::exploring
                              ? "during the exploration: log Z may miss the peak"
                              : "with an effective sample size of " +
                                    detail::text(std::floor(estimator_.effective_size())) +
                                    " of the " + detail::text(options_.n_eff) + " asked for";
    phase_ = Phase::done;
    return missing;
  }

  /// The stored points of highest likelihood, for the checkpoint's likelihood check.
  std::vector<detail::Probe> probes() const {
    return detail::highest_points(log_l_, [&](std::size_t i, detail::Probe& p) {
      detail::copy_row(p.u, u_, i, d_);
      detail::copy_row(p.theta, theta_, i, d_);
    });
  }

  /// The whole state of the run, for a checkpoint.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& run) {
    ar.choice(run.phase_);
    ar.sized(run.u_);
    ar.sized(run.theta_);
    ar.sized(run.log_l_);
    ar.sized(run.source_);
    ar.sized(run.pattern_);
    ar.sequence(run.bounds_);
    ar.object(run.estimator_);
    ar.sized(run.pending_);
    for (auto* n : {&run.counted_from_, &run.current_, &run.fill_above_, &run.fill_calls_,
                    &run.fill_above_target_, &run.fill_calls_target_, &run.iteration_, &run.n_like_,
                    &run.stretch_calls_, &run.stretch_above_})
      ar.tally(*n);
    ar.value(run.fill_threshold_);
    ar.value(run.live_fraction_);
    ar.sized(run.fill_thresholds_);
    ar.sized(run.fill_log_volumes_);
    ar.sequence(run.warnings_);
    if constexpr (Archive::loading) run.check_loaded();
  }

 private:
  // After reading a checkpoint: sizes that fit together, and the densities rebuilt.
  void check_loaded() {
    const std::size_t n = log_l_.size(), k = bounds_.size(), p = estimator_.pattern_count();
    const bool consistent =
        u_.size() == n * d_ && theta_.size() == n * d_ && source_.size() == n &&
        pattern_.size() == n && estimator_.bound_count() == k && counted_from_ <= n &&
        current_ <= k && fill_thresholds_.size() == fill_log_volumes_.size() &&
        std::all_of(source_.begin(), source_.end(), [&](auto s) { return s < k; }) &&
        std::all_of(pattern_.begin(), pattern_.end(), [&](auto s) { return s < p; }) &&
        std::all_of(pending_.begin(), pending_.end(), [&](auto s) { return s < k; });
    if (!consistent)
      throw IoError("the batch state has inconsistent sizes (" + std::to_string(n) + " points, " +
                    std::to_string(k) + " bounds, " + std::to_string(p) + " membership patterns)");
    refresh_densities();
  }

  enum class Phase { exploring, sampling, done, last = done };
  using Bits = detail::MixtureEstimator::Bits;
  // "No limit" for a count, 2^53: checkpoints store counts as doubles, which hold it exactly
  // (SIZE_MAX came back as 0 and ended a resumed first fill at once).
  static constexpr std::size_t max_size = std::size_t{1} << 53;
  static constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
  // The exploration's efficiency (over a stretch of 200 n_live calls) below which the user is
  // told it is slow: ten times the default min_efficiency. Of docs/calibration.md's problems up
  // to corrgauss-16, only the funnel's fell below it (2 of seeds 1-3); so did LogGamma-10's
  // (18 of seeds 1001-1020, at 600k+ calls) and Rosenbrock-10's.
  static constexpr double slow_efficiency = 0.01;
  // The climb rate (climb_rate) above which the exploration goes on whatever f_live says.
  // Neal's funnel climbs at 0.75-0.9 all along its neck; every other problem of
  // docs/calibration.md ended its exploration at 0.56 or less (gauss-30: 0.49-0.62 over its last
  // fills; 0.45 or less up to 16-D). Chosen on funnel-10 seeds 1-6 (docs/batch.md).
  static constexpr double max_climb_rate = 0.7;
  // Fills the climb rate is fitted over.
  static constexpr std::size_t climb_fills = 4;

  // The first fill keeps 2 n_live points (n_update defaults to n_live): u, theta and log L.
  static detail::StoredPoints stored_points(const Options& o, std::size_t d) {
    return {"Batch", "n_live", 2.0 * static_cast<double>(o.n_live),
            2.0 * static_cast<double>(d) + 1.0};
  }
  static std::size_t resolved_update(const Options& o) {
    return o.n_update > 0 ? o.n_update : o.n_live;
  }
  // A fill that ends at this cap found fewer than n_update points above its threshold, and has
  // drawn from a bound the threshold has left behind. Network-cut bounds fit the contour
  // closely when built: rebuilt after 2 n_live calls, LogGamma-10 (tuning seeds 1-3) took 154k,
  // 148k, 154k calls instead of 208k, 197k, 208k (4 n_live: 172k-177k). Ellipsoids keep
  // nautilus's 10 n_live: 2 n_live saved 3-29 % of the calls there too, but left the funnel and
  // LogGamma-10 lower (held-out seeds; docs/calibration.md, A shorter fill for Batch).
  static std::size_t resolved_like_new_bound(const Options& o) {
    if (o.n_like_new_bound > 0) return o.n_like_new_bound;
    return (o.networks > 0 ? 2 : 10) * o.n_live;
  }
  static double resolved_enlarge(const Options& o, std::size_t) {
    return o.enlarge > 0 ? o.enlarge : 1.25;
  }

  // ---- drawing ------------------------------------------------------------------------------

  // One batch of n_batch points from bound k, evaluated through the pool and stored.
  void draw_batch(Pool& pool, std::size_t k) {
    RandomStream rng(seed_, StreamPurpose::draw, iteration_, 0);
    RowMatrix in(static_cast<Eigen::Index>(options_.n_batch), static_cast<Eigen::Index>(d_));
    for (Eigen::Index j = 0; j < in.rows(); ++j)
      bounds_[k].sample(rng, std::span<double>(in.row(j).data(), d_), options_.max_draws);
    RowMatrix out(in.rows(), static_cast<Eigen::Index>(detail::EvaluateTask::output_width(d_)));
    pool.map(detail::EvaluateTask(problem_), in, out);
    n_like_ += options_.n_batch;
    for (Eigen::Index j = 0; j < in.rows(); ++j) {
      const double log_l = out(j, static_cast<Eigen::Index>(d_));
      u_.insert(u_.end(), in.row(j).data(), in.row(j).data() + d_);
      theta_.insert(theta_.end(), out.row(j).data(), out.row(j).data() + d_);
      log_l_.push_back(log_l);
      source_.push_back(static_cast<std::uint32_t>(k));
      const std::uint32_t p =
          estimator_.pattern_of(membership(std::span<const double>(in.row(j).data(), d_), k));
      pattern_.push_back(p);
      estimator_.count(p, log_l);
      if (phase_ == Phase::exploring && k == current_) {
        const std::size_t above = log_l > fill_threshold_ ? 1 : 0;
        fill_calls_ += 1;
        fill_above_ += above;
        stretch_calls_ += 1;
        stretch_above_ += above;
      }
    }
    estimator_.add_draws(k, static_cast<double>(options_.n_batch));
    refresh_densities();
  }

  // Which bounds hold u (drawn from bound `source`, which does by construction).
  Bits membership(std::span<const double> u, std::size_t source) const {
    Bits bits((bounds_.size() + 63) / 64, 0);
    for (std::size_t k = 0; k < bounds_.size(); ++k)
      if (k == source || bounds_[k].contains(u)) bits[k / 64] |= std::uint64_t{1} << (k % 64);
    return bits;
  }

  // ---- the estimator (detail/mixture_estimator.hpp) -------------------------------------

  std::vector<double> log_volumes() const {
    std::vector<double> log_v(bounds_.size());
    for (std::size_t k = 0; k < bounds_.size(); ++k) log_v[k] = bounds_[k].log_volume();
    return log_v;
  }
  void refresh_densities() { estimator_.refresh(log_volumes()); }
  double log_z() const { return estimator_.log_z(); }

  // The share of the evidence held by the n_live points of highest likelihood.
  double live_fraction() {
    const std::size_t n = log_l_.size() - counted_from_;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), counted_from_);
    const std::size_t live = std::min(options_.n_live, n);
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(live - 1),
                     order.end(),
                     [&](std::size_t a, std::size_t b) { return log_l_[a] > log_l_[b]; });
    double top = minus_infinity;
    for (std::size_t j = 0; j < live; ++j)
      top = detail::log_add_exp(top, log_l_[order[j]] - estimator_.log_d(pattern_[order[j]]));
    const double z = log_z();
    live_fraction_ = z == minus_infinity ? 1.0 : std::exp(top - z);
    return live_fraction_;
  }

  // Standard error of log Z: bootstrap replicates that redraw the points of each bound from
  // those drawn from it (with replacement) and each bound's log volume from its estimate's
  // error, so that both the sampling noise and the volume estimates count.
  double bootstrap_error() const {
    constexpr int replicates = 200;
    const std::size_t n = log_l_.size() - counted_from_;
    if (n == 0) return std::numeric_limits<double>::infinity();
    const double max_log_l = *std::max_element(
        log_l_.begin() + static_cast<std::ptrdiff_t>(counted_from_), log_l_.end());
    if (max_log_l == minus_infinity) return std::numeric_limits<double>::infinity();
    std::vector<double> scaled(log_l_.size());
    for (std::size_t i = counted_from_; i < log_l_.size(); ++i)
      scaled[i] = std::exp(log_l_[i] - max_log_l);
    // Each bound's points, and those of them that weigh anything (L not 0 to double precision).
    std::vector<std::vector<std::uint32_t>> groups(bounds_.size()), weighing(bounds_.size());
    for (std::size_t i = counted_from_; i < log_l_.size(); ++i) {
      groups[source_[i]].push_back(static_cast<std::uint32_t>(i));
      if (scaled[i] > 0.0) weighing[source_[i]].push_back(static_cast<std::uint32_t>(i));
    }
    std::vector<double> log_v(bounds_.size()), factor(estimator_.pattern_count());
    detail::Spread spread;
    for (int r = 0; r < replicates; ++r) {
      if (const auto why = pending_interrupt())
        throw Interrupted("interrupted by " + why.cause() + " during Batch's error bootstrap (" +
                              "replicate " + std::to_string(r) + " of " +
                              std::to_string(replicates) + ")",
                          why.signal);
      RandomStream rng(seed_, StreamPurpose::bootstrap, static_cast<std::uint64_t>(r), 0);
      for (std::size_t k = 0; k < bounds_.size(); ++k)
        log_v[k] =
            bounds_[k].log_volume() + std::sqrt(bounds_[k].log_volume_variance()) * rng.normal();
      const std::vector<double> log_d = estimator_.log_densities(log_v);
      double lowest = std::numeric_limits<double>::infinity();
      for (double x : log_d)
        if (x > minus_infinity) lowest = std::min(lowest, x);
      for (std::size_t p = 0; p < factor.size(); ++p) factor[p] = std::exp(lowest - log_d[p]);
      double z = 0.0;
      for (std::size_t k = 0; k < groups.size(); ++k)
        z += resampled_sum(groups[k], weighing[k], scaled, factor, pattern_, rng);
      if (!(z > 0)) continue;
      spread.add(std::log(z) + max_log_l - lowest);
    }
    return spread.deviation();
  }

  // The weighted sum over one bound's points redrawn with replacement. Where fewer than half
  // weigh anything (an island of finite L, a likelihood whose exploration points underflow),
  // only the draws that land on those are made: the gaps between them are geometric, so the
  // sum has the same distribution at a cost set by the points that count (a 3.2M-point run
  // with 0.1 % of its points finite spent 66 of its 70 s here; docs/batch.md).
  static double resampled_sum(const std::vector<std::uint32_t>& group,
                              const std::vector<std::uint32_t>& weighing,
                              const std::vector<double>& scaled, const std::vector<double>& factor,
                              const std::vector<std::uint32_t>& pattern, RandomStream& rng) {
    double z = 0.0;
    if (2 * weighing.size() >= group.size()) {
      for (std::size_t j = 0; j < group.size(); ++j) {
        const std::uint32_t i = group[rng.below(group.size())];
        z += scaled[i] * factor[pattern[i]];
      }
      return z;
    }
    if (weighing.empty()) return z;
    const double log_miss =
        std::log1p(-static_cast<double>(weighing.size()) / static_cast<double>(group.size()));
    for (double draw = 0.0;;) {
      draw += 1.0 + std::floor(std::log(rng.uniform_open()) / log_miss);
      if (draw > static_cast<double>(group.size())) return z;
      const std::uint32_t i = weighing[rng.below(weighing.size())];
      z += scaled[i] * factor[pattern[i]];
    }
  }

  // ---- the exploration ----------------------------------------------------------------------

  void start_fill(double threshold, std::size_t above_target, std::size_t calls_target) {
    fill_threshold_ = threshold;
    fill_above_ = fill_calls_ = 0;
    fill_above_target_ = above_target;
    fill_calls_target_ = calls_target;
  }

  bool fill_done() {
    if (fill_above_ == 0 && fill_calls_ >= 1000 * options_.n_live)
      throw SamplerError("no point with log-likelihood above " + std::to_string(fill_threshold_) +
                         " in " + std::to_string(fill_calls_) +
                         " likelihood calls: the likelihood may be -infinity almost everywhere, "
                         "or flat at that value");
    return fill_above_ >= fill_above_target_ || fill_calls_ >= fill_calls_target_;
  }

  // Records the fill that just ended: its threshold and the log volume above it (the bound's
  // volume times the share of its draws that came out above).
  void record_fill() {
    if (!std::isfinite(fill_threshold_)) return;  // the cube's first fill
    fill_thresholds_.push_back(fill_threshold_);
    fill_log_volumes_.push_back(
        bounds_[current_].log_volume() +
        std::log(static_cast<double>(std::max<std::size_t>(fill_above_, 1)) /
                 static_cast<double>(std::max<std::size_t>(fill_calls_, 1))));
  }

  // How fast the threshold rises per e-fold of prior volume above it: the least-squares slope
  // of log L against -log X over the last climb_fills fills (0 before there are that many).
  // The posterior mass per e-fold of volume, L X, falls as exp(-(1 - rate)) per e-fold, so
  // near 1 the volume still unexplored below the bound may hold as much evidence as all that
  // has been seen: a funnel's neck, whose tip the live points' weights cannot yet show. On
  // funnel-10 the exploration ended on f_live while the likelihood still climbed at 0.8, with
  // v < -8 holding 0.0039 of the evidence and the runs giving it 0.0013 (docs/batch.md).
  double climb_rate() const {
    const std::size_t n = fill_thresholds_.size();
    if (n < climb_fills) return 0.0;
    double mean_x = 0.0, mean_t = 0.0;
    for (std::size_t j = n - climb_fills; j < n; ++j) {
      mean_x -= fill_log_volumes_[j] / static_cast<double>(climb_fills);
      mean_t += fill_thresholds_[j] / static_cast<double>(climb_fills);
    }
    double sxx = 0.0, sxt = 0.0;
    for (std::size_t j = n - climb_fills; j < n; ++j) {
      const double x = -fill_log_volumes_[j] - mean_x;
      sxx += x * x;
      sxt += x * (fill_thresholds_[j] - mean_t);
    }
    return sxx > 0.0 ? sxt / sxx : 0.0;
  }

  // Whether the exploration must go on though the live points hold less than f_live of the
  // evidence (climb_rate), saying so once.
  bool still_climbing() {
    const double rate = climb_rate();
    if (!(rate > max_climb_rate)) return false;
    if (!noted_climbing_) {
      noted_climbing_ = true;
      notes_.push_back(
          "Batch's exploration goes on past f_live = " + detail::text(options_.f_live) +
          ": the likelihood still rises by " + detail::text(rate, 2) +
          " per e-fold of prior volume (a funnel's neck), so the unexplored volume "
          "below the bound may hold much of the evidence");
    }
    return true;
  }

  // Stops a run whose exploration has stalled: over the last stretch of 200 n_live calls, too
  // few points came out above the threshold for the bounds ever to shrink to the peak.
  void check_efficiency() {
    // Nothing above the threshold at all has its own message (fill_done).
    if (stretch_calls_ < 200 * options_.n_live || fill_above_ == 0) return;
    const double efficiency =
        static_cast<double>(stretch_above_) / static_cast<double>(stretch_calls_);
    if (efficiency < options_.min_efficiency && fill_threshold_ == minus_infinity)
      throw SamplerError(
          "Batch's first fill stalled after " + std::to_string(n_like_) +
          " likelihood calls: only " + std::to_string(stretch_above_) + " of the last " +
          std::to_string(stretch_calls_) + " prior draws had a finite log-likelihood (" +
          detail::text(efficiency) + ", min_efficiency " + detail::text(options_.min_efficiency) +
          "). The likelihood is -infinity on nearly all of the prior: parnest::Sequential draws "
          "its live points where it is finite at the same cost and then shrinks onto them; "
          "min_efficiency = 0 lets Batch run on");
    if (efficiency < options_.min_efficiency)
      throw SamplerError(
          "Batch's exploration stalled after " + std::to_string(n_like_) +
          " likelihood calls: in the last " + std::to_string(stretch_calls_) + " only " +
          std::to_string(stretch_above_) + " points lay above the threshold log L = " +
          std::to_string(fill_threshold_) + " (efficiency " + std::to_string(efficiency) +
          ", min_efficiency " + detail::text(options_.min_efficiency) + "), drawn from " +
          description(bounds_[current_]) + ", with the live points still holding " +
          detail::text(live_fraction_) + " of the evidence (f_live " +
          detail::text(options_.f_live) +
          "). Ellipsoids cannot follow this likelihood's contours (a thin curved ridge or a "
          "funnel): try parnest::Sequential with slice or random-walk moves, or parnest::Smc; "
          "min_efficiency = 0 lets Batch run on");
    if (efficiency < slow_efficiency && !noted_slow_ && fill_threshold_ > minus_infinity)
      note_slow(efficiency);
    stretch_calls_ = stretch_above_ = 0;
  }

  // Tells the user, once, while the run goes on, that the exploration has become slow: a slow
  // run that ends well needs no warning in its result, but an hour without a word is worse
  // than a note (Rosenbrock-10 ran for 10 minutes at 0.3-1 % with nothing printed).
  void note_slow(double efficiency) {
    noted_slow_ = true;
    const double halving_calls = static_cast<double>(resolved_update(options_)) /
                                 std::max(efficiency, 1.0 / static_cast<double>(stretch_calls_));
    const double unit = std::pow(10.0, std::floor(std::log10(halving_calls)) - 1);  // 2 digits
    notes_.push_back(
        "Batch's exploration is slow: in the last " + std::to_string(stretch_calls_) +
        " likelihood calls only " + std::to_string(stretch_above_) + " points (" +
        detail::text(100.0 * efficiency, 2) + " %) lay above the threshold log L = " +
        detail::text(fill_threshold_, 4) + " in draws from " + description(bounds_[current_]) +
        ", so halving the bound's volume costs about " +
        std::to_string(static_cast<std::size_t>(std::round(halving_calls / unit) * unit)) +
        " calls, with the live points still holding " + detail::text(live_fraction_, 2) +
        " of the evidence (f_live " + detail::text(options_.f_live) +
        "). Ellipsoids follow these contours poorly (a curved ridge, a funnel, many narrow "
        "branches). The run goes on; parnest::Sequential or parnest::Smc may need fewer calls, "
        "and networks = 4 sharpens Batch's bounds");
  }

  // "the unit cube", or "a bound of 3 ellipsoids and log volume -14.8", for messages.
  static std::string description(const ShellBound& b) {
    if (b.is_cube()) return "the unit cube";
    const std::size_t n = b.ellipsoid_count();
    return "a bound of " + std::to_string(n) + (n == 1 ? " ellipsoid" : " ellipsoids") +
           " and log volume " + detail::text(b.log_volume(), 3);
  }

  void append_bound(ShellBound bound) {
    const std::size_t k = bounds_.size();
    bounds_.push_back(std::move(bound));
    estimator_.add_bound();
    current_ = k;
    // Every point's pattern gains the new bound's bit: one pass over the points, rebuilding
    // the patterns and their sums in point order (the same order a resumed run uses).
    const std::size_t words = (k + 1 + 63) / 64;
    std::map<std::pair<std::uint32_t, bool>, std::uint32_t> renamed;
    std::vector<Bits> old;
    for (std::uint32_t p = 0; p < estimator_.pattern_count(); ++p)
      old.push_back(estimator_.pattern(p));
    estimator_.clear_patterns();
    for (std::size_t i = 0; i < log_l_.size(); ++i) {
      const bool inside = k == 0 || bounds_[k].contains(std::span<const double>(&u_[i * d_], d_));
      auto found = renamed.find({pattern_[i], inside});
      if (found == renamed.end()) {
        Bits bits = old[pattern_[i]];
        bits.resize(words, 0);
        if (inside) bits[k / 64] |= std::uint64_t{1} << (k % 64);
        found = renamed.emplace(std::pair{pattern_[i], inside}, estimator_.pattern_of(bits)).first;
      }
      pattern_[i] = found->second;
      if (i >= counted_from_) estimator_.count(pattern_[i], log_l_[i]);
    }
    refresh_densities();
  }

  // Builds a bound around the n_live best points, keeps it if it is smaller than the current
  // one, and starts filling it (or the current one, at the new threshold).
  void add_bound(Pool& pool) {
    std::vector<double> sorted(log_l_.begin(), log_l_.end());
    const std::size_t live = options_.n_live;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(live),
                     sorted.end(), std::greater<>());
    const double next = sorted[live];
    const double lowest_live =
        *std::min_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(live));
    const double threshold = 0.5 * (lowest_live + next);
    std::vector<std::size_t> above;
    for (std::size_t i = 0; i < log_l_.size(); ++i)
      if (log_l_[i] > threshold) above.push_back(i);
    const std::size_t n_update = resolved_update(options_);
    const std::size_t calls = resolved_like_new_bound(options_);
    if (above.size() < 2 * (d_ + 1) || !std::isfinite(threshold)) {
      start_fill(threshold, n_update, calls);
      return;
    }
    RowMatrix points(static_cast<Eigen::Index>(above.size()), static_cast<Eigen::Index>(d_));
    for (std::size_t j = 0; j < above.size(); ++j)
      points.row(static_cast<Eigen::Index>(j)) =
          Eigen::Map<const Eigen::RowVectorXd>(&u_[above[j] * d_], static_cast<Eigen::Index>(d_));
    RandomStream rng(seed_, StreamPurpose::bound, iteration_, 0);
    Bound region = Bound::build(points, options_.bound, resolved_enlarge(options_, d_), rng);
    // Small clusters peaking on a face of the cube get mirrored ellipsoids (face_mirrors.hpp).
    std::vector<double> above_log_l(above.size());
    for (std::size_t j = 0; j < above.size(); ++j) above_log_l[j] = log_l_[above[j]];
    region = with_face_mirrors(region, points, above_log_l, resolved_enlarge(options_, d_), rng);
    std::vector<EllipsoidCut> cuts;
    if (options_.networks > 0 && !region.is_cube()) cuts = train_cuts(pool, region, threshold);
    ShellBound candidate(std::move(region), std::move(cuts));
    RandomStream volume_rng(seed_, StreamPurpose::volume, iteration_, 0);
    candidate.add_volume_draws(volume_rng, options_.volume_draws, d_);
    if (candidate.log_volume() < bounds_[current_].log_volume()) append_bound(std::move(candidate));
    start_fill(threshold, n_update, calls);
  }

  // An emulator for each ellipsoid of a new bound that holds at least 100 points above the
  // threshold, trained on the points drawn so far inside it, in the ellipsoid's own
  // coordinates, and cut at the lowest score of the points above: every point the bound is
  // built around stays in it. Per ellipsoid rather than one ensemble over the union, LogGamma-10
  // needed half the calls (206k against 378k) and bounds can carry face mirrors (eggbox seeds
  // 1-6: rms pull 3.27 with one ensemble; 2.15 over seeds 1-20 per ellipsoid). Cutting tighter,
  // at nautilus's calibrated score or so that 1-5 % of those points fall outside, took
  // LogGamma-10 to 113k-174k calls but dropped parts of eggbox modes, 4 to 13 errors low, and
  // left some shells-2 bounds with no volume (docs/batch.md). Fewer points than 100 give too
  // noisy a lowest score to cut by; an eggbox mode holds about 28, so an ellipsoid around one
  // is kept whole.
  std::vector<EllipsoidCut> train_cuts(Pool& pool, const Bound& region, double threshold) const {
    constexpr std::size_t min_above = 100;
    // Training time grows with the points, so the networks see a subset (below). The
    // contours they must learn grow with the dimension: 2 n_live points were enough in 2-D but
    // too few at 10-D (LogGamma-10 seed 1001: 552,600 calls with 1,000 points, 371,700 with
    // 4,000 and the sampling phase counted alone; docs/batch.md). 8 n_live bounds the time.
    const std::size_t cap = std::min(8 * options_.n_live, std::max(2 * options_.n_live, 400 * d_));
    const auto& ellipsoids = region.ellipsoids();
    std::vector<EllipsoidCut> cuts(ellipsoids.size());
    for (std::size_t j = 0; j < ellipsoids.size(); ++j) {
      std::vector<std::size_t> inside, below;
      for (std::size_t i = 0; i < log_l_.size(); ++i)
        if (ellipsoids[j].contains(std::span<const double>(&u_[i * d_], d_)))
          (log_l_[i] > threshold ? inside : below).push_back(i);
      const std::size_t above = inside.size();
      if (above < min_above || below.empty()) continue;
      // Every point above the threshold (at most n_live) and an evenly spaced subset of those
      // below: a subset of all could hold none above (gaussian shells, n_live 200).
      const std::size_t keep = cap > above ? cap - above : above;
      for (std::size_t k = 0; k < std::min(keep, below.size()); ++k)
        inside.push_back(below[k * below.size() / std::min(keep, below.size())]);
      RowMatrix z(static_cast<Eigen::Index>(inside.size()), static_cast<Eigen::Index>(d_));
      std::vector<double> log_l(inside.size());
      for (std::size_t k = 0; k < inside.size(); ++k) {
        ellipsoids[j].whitened(std::span<const double>(&u_[inside[k] * d_], d_),
                               std::span<double>(z.row(static_cast<Eigen::Index>(k)).data(), d_));
        log_l[k] = log_l_[inside[k]];
      }
      // Past 1024 ellipsoids the streams would repeat the next iteration's: harmless, since
      // the networks' data differ, and far beyond any bound of n_live points seen.
      const std::uint64_t stream = (static_cast<std::uint64_t>(iteration_) << 10) + j;
      neural::Emulator emulator = neural::Emulator::train(
          pool, z, log_l, threshold, options_.networks, seed_, stream, &problem_, problem_.id());
      double cut = std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < above; ++k)  // the points above come first
        cut = std::min(cut, emulator.score(std::span<const double>(
                                z.row(static_cast<Eigen::Index>(k)).data(), d_)));
      // Networks that did not train (a score that is not finite) cut nothing.
      if (std::isfinite(cut)) cuts[j] = {std::move(emulator), cut};
    }
    return cuts;
  }

  // Whether the result counts only the sampling phase's points. Bounds cut by networks trained
  // on the exploration's points fit those points closely, so their weights come out low: on
  // LogGamma-10 every seed came out 4-5 errors low when they counted (docs/batch.md).
  static bool discards_exploration(const Options& o) {
    return o.discard_exploration || o.networks > 0;
  }

  void start_sampling() {
    phase_ = Phase::sampling;
    if (!discards_exploration(options_)) return;
    counted_from_ = log_l_.size();
    estimator_.reset_counts();
    // One batch from every bound, the cube last, so that the mixture covers the whole prior.
    pending_.resize(bounds_.size());
    std::iota(pending_.begin(), pending_.end(), std::size_t{0});
    refresh_densities();
  }

  const detail::Problem& problem_;
  Options options_;
  std::uint64_t seed_;
  std::size_t d_;

  Phase phase_ = Phase::exploring;
  std::vector<double> u_, theta_, log_l_;        // every point, in the order drawn
  std::vector<std::uint32_t> source_, pattern_;  // its bound, its membership pattern
  std::vector<ShellBound> bounds_;               // bounds_[0]: the unit cube
  detail::MixtureEstimator estimator_;           // the points' evidence, by membership pattern
  std::vector<std::size_t> pending_;             // bounds owed a batch (discard_exploration)
  std::size_t counted_from_ = 0;                 // the first point the result counts
  std::size_t current_ = 0;                      // the bound the exploration fills
  double fill_threshold_ = minus_infinity;
  std::size_t fill_above_ = 0, fill_calls_ = 0, fill_above_target_ = 0, fill_calls_target_ = 0;
  std::size_t stretch_calls_ = 0, stretch_above_ = 0;  // the exploration's efficiency so far
  double live_fraction_ = 1.0;
  std::vector<double> fill_thresholds_, fill_log_volumes_;  // each ended fill: log L*, log X
  std::size_t iteration_ = 0, n_like_ = 0;
  std::vector<std::string> warnings_;
  // Not in the checkpoint: a resumed run may print either note once more.
  std::vector<std::string> notes_;
  bool noted_slow_ = false, noted_climbing_ = false;
};

}  // namespace parnest::detail
