#pragma once
// The state and steps of one Sequential run (parnest::Sequential forwards to it; see
// backend/sequential.hpp for the options). Compiled into libparnest by src/sequential.cpp, or
// into the user's program in header-only mode.
//
// Static nested sampling (Skilling 2004), as in dynesty, MultiNest and PolyChord: n_live
// points; each iteration removes the k lowest and replaces them, in parallel, with points
// drawn under the likelihood constraint by a constrained move (uniform in a bound of one or
// several ellipsoids, a random walk, or slice sampling).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "parnest/backend/sequential.hpp"
#include "parnest/bound/union.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/likelihood_probes.hpp"
#include "parnest/detail/log_sum.hpp"
#include "parnest/detail/memory_check.hpp"
#include "parnest/detail/option_table.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/detail/rebuilt_task.hpp"
#include "parnest/detail/shrinkage.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"
#include "parnest/moves/random_walk.hpp"
#include "parnest/moves/slice.hpp"
#include "parnest/moves/uniform.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

// One replacement live point per row, drawn by the batch's move: uniform draws from `bound`,
// walks and slices shaped by `shape` (one ellipsoid for the whole batch; nullptr: the cube).
// Input row: [threshold, iteration, slot, walk scale, start log L, start u (d)]. Output row:
// [u (d), theta (d), log L, calls, accepted, proposed]. The walk scale, which changes every
// batch, travels in the rows: the context (bound, shape, settings), which pools over other
// processes send again whenever it changes, then changes only with the bound.
class ReplaceTask final : public Task {
 public:
  /// Everything about the batch's move except the bound and shape.
  struct Settings {
    Sample move;  // never automatic here
    std::size_t walks, slices, max_draws;
    std::uint64_t seed;
  };
  ReplaceTask(const Problem& problem, const Bound& bound, const Ellipsoid* shape,
              const Settings& settings)
      : problem_(problem), bound_(bound), shape_(shape), s_(settings) {}

  static std::size_t input_width(std::size_t d) { return 5 + d; }
  static std::size_t output_width(std::size_t d) { return 2 * d + 4; }

  void run(std::span<const double> in, std::span<double> out) const override {
    const std::size_t d = problem_.dimension();
    const double threshold = in[0];
    RandomStream rng(s_.seed, StreamPurpose::replace, static_cast<std::uint64_t>(in[1]),
                     static_cast<std::uint32_t>(in[2]));
    moves::Point point{out.subspan(0, d), out.subspan(d, d),
                       -std::numeric_limits<double>::infinity()};
    moves::Counts counts;
    if (s_.move == Sample::uniform) {
      moves::uniform(problem_, bound_, threshold, rng, s_.max_draws, point, counts);
    } else {
      std::copy(in.begin() + 5, in.begin() + 5 + static_cast<std::ptrdiff_t>(d), point.u.begin());
      point.log_l = in[4];
      problem_.transform(point.u, point.theta);  // the walk may keep the start point
      if (s_.move == Sample::random_walk)
        moves::random_walk(problem_, shape_, threshold, rng, s_.walks, in[3], point, counts);
      else
        moves::slice(problem_, shape_, threshold, rng, s_.slices,
                     s_.move == Sample::slice ? moves::SliceDirections::axes
                                              : moves::SliceDirections::random,
                     s_.max_draws, point, counts);
    }
    out[2 * d] = point.log_l;
    out[2 * d + 1] = counts.calls;
    out[2 * d + 2] = counts.accepted;
    out[2 * d + 3] = counts.proposed;
  }

  TaskRecipe recipe() const override {
    (void)registered;  // odr-used here, so that every program that samples registers the kind
    TaskRecipe recipe{&rebuild, &problem_, problem_.id(), {}, kind};
    FlatWriter out(recipe.context);
    context(out, s_, bound_, shape_);
    return recipe;
  }

  std::string describe_row(std::span<const double> in) const override {
    const std::size_t d = problem_.dimension();
    return "a replacement live point (iteration " + std::to_string(std::uint64_t(in[1])) +
           ", slot " + std::to_string(std::uint64_t(in[2])) +
           ") above log L = " + std::to_string(in[0]) +
           (s_.move == Sample::uniform
                ? std::string(", drawn from the bound")
                : ", moved from the live point at " +
                      format_point(problem_.model().names, in.subspan(5, d)) + " (unit cube)");
  }

 private:
  static std::unique_ptr<Task> rebuild(const void* problem, std::span<const double> context);
  static constexpr const char* kind = "parnest::Sequential/replace";
  static const bool registered;

  // The context's fields: written from this task's references, read into a rebuilt task's
  // own copy (Owned: the bound and shape the original pointed to).
  template <class Archive, class S, class B, class E>
  static void context(Archive& ar, S& settings, B& bound, E& shape) {
    ar.choice(settings.move);
    for (auto* n : {&settings.walks, &settings.slices, &settings.max_draws}) ar.tally(*n);
    ar.bits(settings.seed);
    ar.object(bound);
    ar.optional(shape);
  }
  struct Owned {
    Settings settings{};
    Bound bound;
    std::optional<Ellipsoid> shape;
    template <class Archive, class Self>
    static void serialize(Archive& ar, Self& o) {
      context(ar, o.settings, o.bound, o.shape);
    }
  };

  const Problem& problem_;
  const Bound& bound_;
  const Ellipsoid* shape_;
  Settings s_;
};

inline std::unique_ptr<Task> ReplaceTask::rebuild(const void* problem,
                                                  std::span<const double> context) {
  FlatReader in(context, "the replacement task's context");
  return std::make_unique<RebuiltTask<Owned, ReplaceTask>>(in, [&](const Owned& o) {
    return ReplaceTask(*static_cast<const Problem*>(problem), o.bound,
                       o.shape ? &*o.shape : nullptr, o.settings);
  });
}

inline const bool ReplaceTask::registered = register_task_kind(kind, &rebuild);

class SequentialRun {
 public:
  using Options = Sequential::Options;

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension) {
    validate_options("Sequential", option_table(), o, dimension);
    check_fits_memory(stored_points(o, dimension));
  }

  /// Each option: its rule and the value the run uses (detail/option_table.hpp).
  static const std::vector<OptionRow<Options>>& option_table() {
    using O = Options;
    static const std::vector<OptionRow<O>> table = {
        option("n_live", &O::n_live, rule::enough_live_points()),
        option("dlogz", &O::dlogz, rule::finite_above(0.0)),
        option(
            "n_replace", &O::n_replace,
            [](std::size_t v, const O& o, std::size_t) {
              return v <= o.n_live / 2 ? std::string()
                                       : "must be at most n_live / 2 = " + text(o.n_live / 2) +
                                             " (0 picks a default)";
            },
            [](const O& o, std::size_t) { return resolved_k(o); }),
        option("bound", &O::bound, rule::none()),
        option("sample", &O::sample, rule::none()),
        option("enlarge", &O::enlarge, rule::zero_or(rule::finite_above(1.0, false)),
               resolved_enlarge),
        option("update_interval", &O::update_interval, rule::finite_above(0.0)),
        option("walks", &O::walks, rule::at_least(1)),
        option("slices", &O::slices, rule::none(),
               [](const O& o, std::size_t d) { return resolved_slices(o, o.sample, d); }),
        option("max_iterations", &O::max_iterations, rule::none()),
        option("max_draws", &O::max_draws, rule::at_least(1)),
    };
    return table;
  }

  // A run of the validated model from `seed` (the Sampler validated the options when it was
  // made). A first step that holds over a gigabyte of points is noted before it starts.
  SequentialRun(const Problem& problem, const Options& options, std::uint64_t seed)
      : problem_(problem),
        options_(options),
        seed_(seed),
        d_(problem.dimension()),
        k_(resolved_k(options)),
        move_(options.sample == Sample::automatic ? Sample::uniform : options.sample),
        enlarge_(resolved_enlarge(options, d_)),
        notes_(detail::large_run_note(stored_points(options, d_))) {}

  /// Runs one iteration through `pool`. Returns false once the run has finished.
  bool step(Pool& pool) {
    if (finished_) return false;
    if (live_log_l_.empty()) {
      if (pool.size() > k_)
        warnings_.push_back("n_replace = " + std::to_string(k_) +
                            " replacements per iteration keep at most " + std::to_string(k_) +
                            " of the pool's " + std::to_string(pool.size()) +
                            " workers busy: raise n_replace to several times the pool size, or use "
                            "a batch-style backend");
      initialise(pool);
      return true;
    }
    const std::vector<std::size_t> lowest = leaving();
    if (lowest.size() == options_.n_live) {
      // Nothing above the plateau to replace them from: what is left of X lies on it, as
      // far as n_live points can tell.
      warnings_.push_back("all " + std::to_string(options_.n_live) +
                          " live points have log-likelihood " +
                          detail::text(live_log_l_[lowest.front()]) +
                          ": the run ended there, with the rest of the prior volume on that "
                          "plateau (a peak in less than 1/n_live of it would go unseen)");
      finish();
      return true;
    }
    for (std::size_t j = 0; j < lowest.size(); ++j) {
      const std::size_t n = options_.n_live - j;
      const double shrink = 1.0 / static_cast<double>(n);  // E[-log t], t ~ Beta(n, 1)
      record_dead(lowest[j], log_x_ + std::log(-std::expm1(-shrink)), n);
      log_x_ -= shrink;
    }
    const double threshold = live_log_l_[lowest.back()];
    if (static_cast<double>(n_like_ - calls_at_update_) >=
        options_.update_interval * static_cast<double>(options_.n_live))
      update_bound();
    const RowMatrix fresh = replace(pool, lowest.size(), threshold, starts(lowest));
    for (std::size_t j = 0; j < lowest.size(); ++j)
      store_live(lowest[j], fresh.row(static_cast<Eigen::Index>(j)), threshold);
    ++iteration_;
    if (converged() || (options_.max_iterations > 0 && iteration_ >= options_.max_iterations))
      finish();
    return true;
  }

  /// The options with their defaults resolved for this dimension, as (name, value) text.
  static std::vector<std::pair<std::string, std::string>> describe(const Options& o,
                                                                   std::size_t dimension) {
    return describe_options(option_table(), o, dimension);
  }

  /// Likelihood calls so far.
  std::size_t n_like() const noexcept { return n_like_; }

  /// Where the run stands: log Z so far and how far the dlogz rule is from stopping it.
  Progress progress() const {
    Progress p;
    p.iteration = iteration_;
    p.n_like = n_like_;
    p.log_z = log_z_;
    p.remaining = live_log_l_.empty() ? std::numeric_limits<double>::infinity() : remaining_dlogz();
    p.target = options_.dlogz;
    p.remaining_name = "dlogz";
    const double born = static_cast<double>(dead_log_l_.size() + live_log_l_.size());
    p.efficiency = n_like_ > 0 ? born / static_cast<double>(n_like_) : 0.0;
    p.finished = finished_;
    return p;
  }

  /// Notes for the user since the last call (a large first step).
  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }

  /// Ends the run now with what it has; says what the result misses (nothing if it had ended).
  std::optional<std::string> stop_early() {
    if (finished_) return std::nullopt;
    const double remaining = remaining_dlogz();
    std::string missing =
        std::isfinite(remaining)
            ? "the live points could still add " + detail::text(std::round(remaining * 1e3) / 1e3) +
                  " to log Z (dlogz " + detail::text(options_.dlogz) + " asked for)"
            : std::string(
                  "before any live point was replaced: log Z rests on the first draws alone");
    finish();
    return missing;
  }

  /// The live points of highest likelihood, for the checkpoint's likelihood check.
  std::vector<detail::Probe> probes() const {
    return detail::highest_points(live_log_l_, [&](std::size_t i, detail::Probe& p) {
      const auto r = static_cast<Eigen::Index>(i);
      p.u.assign(live_u_.row(r).begin(), live_u_.row(r).end());
      p.theta.assign(live_theta_.row(r).begin(), live_theta_.row(r).end());
    });
  }

  /// Everything that changes during a run, bit for bit: a backend constructed with the same
  /// problem, options and seed and then load()ed continues exactly as this one would.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& run) {
    ar.choice(run.move_);
    ar.value(run.walk_scale_);
    ar.sized(run.live_u_);
    ar.sized(run.live_theta_);
    ar.sized(run.live_log_l_);
    ar.sized(run.live_birth_);
    ar.object(run.bound_);
    ar.flag(run.bound_beats_cube_);
    ar.optional(run.shape_);
    ar.sized(run.dead_theta_);
    ar.sized(run.dead_log_l_);
    ar.sized(run.dead_log_dx_);
    ar.sized(run.dead_birth_);
    ar.sized(run.dead_n_);
    for (auto* x : {&run.log_x_, &run.log_z_, &run.log_x0_variance_, &run.window_.calls,
                    &run.window_.accepted, &run.window_.proposed})
      ar.value(*x);
    for (auto* n : {&run.n_like_, &run.calls_at_update_, &run.iteration_, &run.initial_calls_})
      ar.tally(*n);
    ar.sequence(run.warnings_);
    ar.flag(run.finished_);
    if constexpr (Archive::loading) run.check_loaded();
  }

  /// The evidence and samples; call once step() has returned false.
  Result result() const {
    Result r;
    const std::size_t n = dead_log_l_.size();
    r.samples = Eigen::Map<const RowMatrix>(dead_theta_.data(), static_cast<Eigen::Index>(n),
                                            static_cast<Eigen::Index>(d_));
    r.log_likelihoods =
        Eigen::Map<const Eigen::VectorXd>(dead_log_l_.data(), static_cast<Eigen::Index>(n));
    r.log_likelihood_births =
        Eigen::Map<const Eigen::VectorXd>(dead_birth_.data(), static_cast<Eigen::Index>(n));
    Eigen::VectorXd log_w(static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < n; ++i)
      log_w[static_cast<Eigen::Index>(i)] = dead_log_l_[i] + dead_log_dx_[i];
    r.log_z = detail::log_sum_exp(log_w);
    r.log_weights = log_w.array() - r.log_z;
    double h = 0.0;  // H = sum p_i log L_i - log Z, skipping points of zero weight
    for (std::size_t i = 0; i < n; ++i) {
      const double p = std::exp(r.log_weights[static_cast<Eigen::Index>(i)]);
      if (p > 0) h += p * dead_log_l_[i];
    }
    r.information = std::max(0.0, h - r.log_z);
    r.log_z_err_information = std::sqrt(r.information / effective_live() + log_x0_variance_);
    const double x0 = static_cast<double>(options_.n_live) / static_cast<double>(initial_calls_);
    r.log_z_err = std::sqrt(detail::shrinkage_log_z_variance(dead_log_l_, dead_n_, x0, seed_) +
                            log_x0_variance_);
    r.n_eff = std::exp(-detail::log_sum_exp(2.0 * r.log_weights));
    r.n_like = n_like_;
    r.n_iterations = iteration_;
    r.warnings = warnings_;
    return r;
  }

 private:
  // After reading a checkpoint: sizes that fit together.
  void check_loaded() const {
    const auto n = static_cast<Eigen::Index>(options_.n_live), d = static_cast<Eigen::Index>(d_);
    const bool started = !live_log_l_.empty();
    if (started &&
        (live_u_.rows() != n || live_u_.cols() != d || live_theta_.rows() != n ||
         live_theta_.cols() != d || live_log_l_.size() != options_.n_live ||
         live_birth_.size() != options_.n_live || dead_theta_.size() != dead_log_l_.size() * d_ ||
         dead_log_dx_.size() != dead_log_l_.size() || dead_birth_.size() != dead_log_l_.size() ||
         dead_n_.size() != dead_log_l_.size()))
      throw IoError("the sequential state has inconsistent sizes (live " +
                    std::to_string(live_u_.rows()) + " x " + std::to_string(live_u_.cols()) +
                    ", dead " + std::to_string(dead_log_l_.size()) + ")");
  }

  // Each live point: u, theta, log L and its birth contour.
  static detail::StoredPoints stored_points(const Options& o, std::size_t d) {
    return {"Sequential", "n_live", static_cast<double>(o.n_live),
            2.0 * static_cast<double>(d) + 2.0};
  }
  static std::size_t resolved_k(const Options& o) {
    return o.n_replace > 0 ? o.n_replace : std::max<std::size_t>(1, o.n_live / 50);
  }
  // Slice updates per replacement for `move` (see Options::slices).
  static std::size_t resolved_slices(const Options& o, Sample move, std::size_t d) {
    return o.slices > 0 ? o.slices : (move == Sample::slice ? 3 : 2 * d);
  }
  static double resolved_enlarge(const Options& o, std::size_t d) {
    return o.enlarge > 0 ? o.enlarge : detail::default_enlarge(d);
  }

  // n_live draws from the whole prior, keeping only points of finite likelihood. The fraction
  // kept estimates the prior mass where L > 0, which becomes the starting volume X0.
  void initialise(Pool& pool) {
    live_u_.resize(static_cast<Eigen::Index>(options_.n_live), static_cast<Eigen::Index>(d_));
    live_theta_.resize(live_u_.rows(), live_u_.cols());
    live_log_l_.resize(options_.n_live);
    live_birth_.resize(options_.n_live);
    const RowMatrix none = RowMatrix::Zero(static_cast<Eigen::Index>(options_.n_live),
                                           static_cast<Eigen::Index>(d_ + 1));
    const Sample move = move_;
    move_ = Sample::uniform;  // from the unit cube: the bound is the cube until the first update
    const RowMatrix fresh =
        replace(pool, options_.n_live, -std::numeric_limits<double>::infinity(), none);
    move_ = move;
    for (std::size_t i = 0; i < options_.n_live; ++i)
      store_live(i, fresh.row(static_cast<Eigen::Index>(i)),
                 -std::numeric_limits<double>::infinity());
    initial_calls_ = n_like_;
    const double kept = static_cast<double>(options_.n_live) / static_cast<double>(initial_calls_);
    log_x_ = std::log(kept);
    // Var(log of the kept fraction) for a negative-binomial estimate: (1 - p) / n.
    log_x0_variance_ = (1.0 - kept) / static_cast<double>(options_.n_live);
    calls_at_update_ = n_like_;
    window_ = {};
    ++iteration_;
  }

  // Start points for walks and slices: live points other than those being replaced, chosen
  // from a stream of their own so that the choice does not depend on the pool.
  // Each row: the start's log L, then its unit-cube coordinates.
  RowMatrix starts(const std::vector<std::size_t>& replaced) const {
    RowMatrix s = RowMatrix::Zero(static_cast<Eigen::Index>(replaced.size()),
                                  static_cast<Eigen::Index>(d_ + 1));
    if (move_ == Sample::uniform) return s;  // uniform draws need no start
    RandomStream rng(seed_, StreamPurpose::start, iteration_, 0);
    for (std::size_t j = 0; j < replaced.size(); ++j) {
      std::size_t pick;
      do pick = rng.below(options_.n_live);
      while (std::find(replaced.begin(), replaced.end(), pick) != replaced.end());
      s(static_cast<Eigen::Index>(j), 0) = live_log_l_[pick];
      s.row(static_cast<Eigen::Index>(j)).tail(static_cast<Eigen::Index>(d_)) =
          live_u_.row(static_cast<Eigen::Index>(pick));
    }
    return s;
  }

  // Draws `count` replacement points above `threshold` in parallel, one task each, and adapts
  // the walk's step from the acceptance of the batch.
  RowMatrix replace(Pool& pool, std::size_t count, double threshold, const RowMatrix& start) {
    RowMatrix in(static_cast<Eigen::Index>(count),
                 static_cast<Eigen::Index>(detail::ReplaceTask::input_width(d_)));
    for (std::size_t j = 0; j < count; ++j) {
      const auto row = static_cast<Eigen::Index>(j);
      in(row, 0) = threshold;
      in(row, 1) = static_cast<double>(iteration_);
      in(row, 2) = static_cast<double>(j);
      in(row, 3) = walk_scale_;
      in.row(row).tail(static_cast<Eigen::Index>(d_ + 1)) = start.row(row);
    }
    RowMatrix out(static_cast<Eigen::Index>(count),
                  static_cast<Eigen::Index>(detail::ReplaceTask::output_width(d_)));
    static const Bound cube;
    // Walks and slices take their scale from the single ellipsoid around all live points:
    // unlike a per-point choice among several ellipsoids, it leaves their target unchanged.
    const Bound& source = bound_beats_cube_ ? bound_ : cube;
    const std::size_t slices = resolved_slices(options_, move_, d_);
    pool.map(detail::ReplaceTask(problem_, source, shape_ ? &*shape_ : nullptr,
                                 {move_, options_.walks, slices, options_.max_draws, seed_}),
             in, out);
    const auto w = static_cast<Eigen::Index>(2 * d_);
    moves::Counts batch{out.col(w + 1).sum(), out.col(w + 2).sum(), out.col(w + 3).sum()};
    n_like_ += static_cast<std::size_t>(batch.calls);
    window_.calls += batch.calls;
    window_.accepted += batch.accepted;
    if (move_ == Sample::random_walk && batch.proposed > 0) {
      // Aim at half the steps accepted (dynesty's rule, per batch).
      const double rate = batch.accepted / batch.proposed;
      walk_scale_ *= std::exp((rate - 0.5) / (0.5 * static_cast<double>(d_)));
    }
    return out;
  }

  void store_live(std::size_t i, const auto& row, double birth) {
    const auto r = static_cast<Eigen::Index>(i), d = static_cast<Eigen::Index>(d_);
    live_u_.row(r) = row.head(d);
    live_theta_.row(r) = row.segment(d, d);
    live_log_l_[i] = row[2 * d];
    live_birth_[i] = birth;
  }

  void record_dead(std::size_t i, double log_dx, std::size_t n_live_then) {
    const auto row = live_theta_.row(static_cast<Eigen::Index>(i));
    dead_theta_.insert(dead_theta_.end(), row.data(), row.data() + d_);
    dead_log_l_.push_back(live_log_l_[i]);
    dead_birth_.push_back(live_birth_[i]);
    dead_log_dx_.push_back(log_dx);
    dead_n_.push_back(static_cast<std::uint32_t>(n_live_then));
    log_z_ = detail::log_add_exp(log_z_, live_log_l_[i] + log_dx);
  }

  // The `count` live points of lowest likelihood, ascending; ties broken by index so that the
  // order never depends on the sort's internals.
  std::vector<std::size_t> lowest_live(std::size_t count) const {
    std::vector<std::size_t> order(live_log_l_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    auto below = [&](std::size_t a, std::size_t b) {
      return live_log_l_[a] < live_log_l_[b] || (live_log_l_[a] == live_log_l_[b] && a < b);
    };
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count - 1),
                     order.end(), below);
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), below);
    order.resize(count);
    return order;
  }

  // The live points this iteration removes, ascending: the n_replace lowest, and every other
  // live point tied with the highest of them. On a plateau (a likelihood constant over a region)
  // the tied points leave together, the live count falling by one for each, before any is
  // replaced from above the plateau (Fowlie, Handley & Su 2020): replacing them one at a time
  // would shrink X by 1/n per point while the new points all land above the plateau, and
  // walks and slices could not start from a point that is not above the threshold.
  std::vector<std::size_t> leaving() const {
    std::vector<std::size_t> out = lowest_live(k_);
    const double threshold = live_log_l_[out.back()];
    for (std::size_t i = 0; i < options_.n_live; ++i)
      if (live_log_l_[i] == threshold && std::find(out.begin(), out.end(), i) == out.end())
        out.push_back(i);
    return out;
  }

  // Rebuilds the bound around all live points, and lets `automatic` give up uniform sampling
  // once it costs more calls per point than slice sampling would.
  void update_bound() {
    RandomStream rng(seed_, StreamPurpose::bound, iteration_, 0);
    bound_ = Bound::build(live_u_, options_.bound, enlarge_, rng);
    bound_beats_cube_ = bound_.log_volume_in_cube(rng) < 0.0;
    shape_ = Ellipsoid::bounding(live_u_);
    if (options_.sample == Sample::automatic && move_ == Sample::uniform && window_.accepted > 0 &&
        window_.calls / window_.accepted > 9.0 * static_cast<double>(d_))
      move_ = Sample::random_slice;
    window_ = {};
    calls_at_update_ = n_like_;
  }

  // The log Z the live points could still add: max(L_live) X, relative to log Z so far.
  double remaining_dlogz() const {
    const double max_log_l = *std::max_element(live_log_l_.begin(), live_log_l_.end());
    return detail::log_add_exp(log_z_, max_log_l + log_x_) - log_z_;
  }
  bool converged() const { return remaining_dlogz() < options_.dlogz; }

  // The live points become the last samples; each holds an equal share of what remains of X.
  void finish() {
    const std::vector<std::size_t> all = lowest_live(options_.n_live);
    const double log_share = log_x_ - std::log(static_cast<double>(options_.n_live));
    for (std::size_t j = 0; j < all.size(); ++j)
      record_dead(all[j], log_share, options_.n_live - j);
    finished_ = true;
  }

  // The live count n_eff for which H / n_eff is the variance of log Z when points are removed
  // k at a time (counts n, n - 1, ..., n - k + 1): sum(1/n_j) / sum(1/n_j^2).
  double effective_live() const {
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t j = 0; j < k_; ++j) {
      const double n = static_cast<double>(options_.n_live - j);
      s1 += 1.0 / n;
      s2 += 1.0 / (n * n);
    }
    return s1 / s2;
  }

  const detail::Problem& problem_;
  Options options_;
  std::uint64_t seed_;
  std::size_t d_;
  std::size_t k_;
  Sample move_;
  double enlarge_;
  double walk_scale_ = 1.0;

  RowMatrix live_u_, live_theta_;
  std::vector<double> live_log_l_, live_birth_;
  Bound bound_;                     // the unit cube until the first update
  bool bound_beats_cube_ = false;   // uniform draws from bound_ cost fewer calls than the cube
  std::optional<Ellipsoid> shape_;  // around all live points: the scale of walks and slices

  std::vector<double> dead_theta_, dead_log_l_, dead_log_dx_, dead_birth_;
  std::vector<std::uint32_t> dead_n_;
  double log_x_ = 0.0;
  double log_z_ = -std::numeric_limits<double>::infinity();
  double log_x0_variance_ = 0.0;
  moves::Counts window_;  // calls and acceptances since the last bound update
  std::size_t n_like_ = 0, calls_at_update_ = 0, iteration_ = 0, initial_calls_ = 0;
  std::vector<std::string> warnings_;
  std::vector<std::string> notes_;
  bool finished_ = false;
};

}  // namespace parnest::detail
