#pragma once
/// @file backend/sequential.hpp
/// Static nested sampling (Skilling 2004), as in dynesty and MultiNest: n_live points; each
/// iteration removes the k lowest and replaces them with points drawn uniformly from an
/// enlarged bounding ellipsoid, constrained to a higher likelihood.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parnest/bound/ellipsoid.hpp"
#include "parnest/detail/log_sum.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/error.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/result.hpp"
#include "parnest/rng.hpp"

namespace parnest {

namespace detail {

// Draws one replacement live point: uniform in the bound (the unit cube when `bound` is
// empty), redrawn until its log-likelihood exceeds the row's threshold.
// Input row: [threshold, iteration, slot]. Output row: [u (d), theta (d), log L, calls].
class ReplaceTask final : public Task {
 public:
  ReplaceTask(const Problem& problem, const std::optional<Ellipsoid>& bound, std::uint64_t seed,
              std::size_t max_draws)
      : problem_(problem), bound_(bound), seed_(seed), max_draws_(max_draws) {}

  static constexpr std::size_t input_width = 3;
  static std::size_t output_width(std::size_t d) { return 2 * d + 2; }

  void run(std::span<const double> in, std::span<double> out) const override {
    const std::size_t d = problem_.dimension();
    const double threshold = in[0];
    RandomStream rng(seed_, StreamPurpose::replace, static_cast<std::uint64_t>(in[1]),
                     static_cast<std::uint32_t>(in[2]));
    const std::span<double> u = out.subspan(0, d), theta = out.subspan(d, d);
    std::size_t calls = 0;
    for (std::size_t draw = 0; draw < max_draws_; ++draw) {
      if (bound_) {
        bound_->sample(rng, u);
        if (!std::all_of(u.begin(), u.end(), [](double x) { return x >= 0.0 && x <= 1.0; }))
          continue;  // outside the prior: costs no likelihood call
      } else {
        for (double& x : u) x = rng.uniform();
      }
      const double log_l = problem_.evaluate(u, theta);
      ++calls;
      if (log_l > threshold) {
        out[2 * d] = log_l;
        out[2 * d + 1] = static_cast<double>(calls);
        return;
      }
    }
    throw SamplerError("no point with log-likelihood above " + std::to_string(threshold) +
                       " found in " + std::to_string(max_draws_) + " draws (" +
                       std::to_string(calls) + " likelihood calls) from the " +
                       (bound_ ? "bounding ellipsoid" : "unit cube") +
                       ": the likelihood may be flat at that value (a plateau), or its region "
                       "above the threshold too small to find");
  }

 private:
  const Problem& problem_;
  const std::optional<Ellipsoid>& bound_;
  std::uint64_t seed_;
  std::size_t max_draws_;
};

}  // namespace detail

/// The sequential backend: static nested sampling, dynesty-style.
class Sequential {
 public:
  /// Options of the sequential backend; validated when the Sampler is constructed.
  struct Options {
    /// Live points. More gives a smaller error (it falls as 1/sqrt(n_live)) at
    /// proportionally more likelihood calls. At least 2 d + 2 (a bound needs a full-rank
    /// covariance, with margin).
    std::size_t n_live = 500;
    /// Stop when the evidence still held by the live points, estimated as
    /// max(L_live) X, would change log Z by less than this.
    double dlogz = 0.1;
    /// k: live points removed and replaced per iteration, each replacement drawn in parallel
    /// through the pool. The shrinkage of removing k at once is accounted exactly; the cost
    /// is an effective live count of about n_live - k / 2. 0 picks max(1, n_live / 50).
    /// Independent of the pool, so results do not depend on it.
    std::size_t n_replace = 0;
    /// Factor (>= 1) by which the bounding ellipsoid's volume is enlarged beyond the live
    /// points, as a margin for the part of the likelihood contour they do not reach.
    double enlarge = 1.25;
    /// Rebuild the bound after this many times n_live likelihood calls since the last one.
    double update_interval = 1.5;
    /// Stop after this many likelihood calls even if dlogz is not reached (0: no limit).
    std::size_t max_calls = 0;
    /// Draws from the bound allowed for one replacement point before the run fails with a
    /// SamplerError (a likelihood plateau, or a vanishing constrained region).
    std::size_t max_draws = 10'000'000;
  };

  static constexpr const char* name = "sequential";

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension) {
    auto fail = [](const std::string& option, const std::string& value, const std::string& rule) {
      throw ConfigError("Sequential option " + option + " = " + value + " is invalid: " + rule);
    };
    if (o.n_live < 2 * dimension + 2)
      fail("n_live", std::to_string(o.n_live),
           "need at least 2 d + 2 = " + std::to_string(2 * dimension + 2) + " for " +
               std::to_string(dimension) + " parameters");
    if (!(o.dlogz > 0) || !std::isfinite(o.dlogz))
      fail("dlogz", std::to_string(o.dlogz), "must be a finite number > 0");
    if (o.n_replace > o.n_live / 2)
      fail("n_replace", std::to_string(o.n_replace),
           "must be at most n_live / 2 = " + std::to_string(o.n_live / 2) + " (0 picks a default)");
    if (!(o.enlarge >= 1.0) || !std::isfinite(o.enlarge))
      fail("enlarge", std::to_string(o.enlarge), "must be a finite number >= 1");
    if (!(o.update_interval > 0) || !std::isfinite(o.update_interval))
      fail("update_interval", std::to_string(o.update_interval), "must be a finite number > 0");
    if (o.max_draws == 0) fail("max_draws", "0", "must be at least 1");
  }

  Sequential(const detail::Problem& problem, const Options& options, std::uint64_t seed)
      : problem_(problem),
        options_(options),
        seed_(seed),
        d_(problem.dimension()),
        k_(options.n_replace > 0 ? options.n_replace
                                 : std::max<std::size_t>(1, options.n_live / 50)) {
    validate(options, d_);
  }

  /// Runs one iteration through `pool`. Returns false once the run has finished.
  bool step(Pool& pool) {
    if (finished_) return false;
    if (live_log_l_.empty()) {
      initialise(pool);
      return true;
    }
    const std::vector<std::size_t> lowest = lowest_live(k_);
    for (std::size_t j = 0; j < k_; ++j) {
      const double shrink =
          1.0 / static_cast<double>(options_.n_live - j);  // E[-log t], t ~ Beta(n, 1)
      record_dead(lowest[j], log_x_ + std::log(-std::expm1(-shrink)));
      log_x_ -= shrink;
    }
    const double threshold = live_log_l_[lowest.back()];
    if (static_cast<double>(n_like_ - calls_at_update_) >=
        options_.update_interval * static_cast<double>(options_.n_live))
      update_bound();
    const RowMatrix fresh = replace(pool, k_, threshold);
    for (std::size_t j = 0; j < k_; ++j)
      store_live(lowest[j], fresh.row(static_cast<Eigen::Index>(j)));
    ++iteration_;
    if (converged() || (options_.max_calls > 0 && n_like_ >= options_.max_calls)) finish();
    return true;
  }

  /// The evidence and samples; call once step() has returned false.
  Result result() const {
    Result r;
    const std::size_t n = dead_log_l_.size();
    r.samples =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            dead_theta_.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d_));
    r.log_likelihoods =
        Eigen::Map<const Eigen::VectorXd>(dead_log_l_.data(), static_cast<Eigen::Index>(n));
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
    r.log_z_err = std::sqrt(r.information / effective_live() + log_x0_variance_);
    r.n_eff = std::exp(-detail::log_sum_exp(2.0 * r.log_weights));
    r.n_like = n_like_;
    r.n_iterations = iteration_;
    return r;
  }

 private:
  // n_live draws from the whole prior, keeping only points of finite likelihood. The fraction
  // kept estimates the prior mass where L > 0, which becomes the starting volume X0.
  void initialise(Pool& pool) {
    live_u_.resize(static_cast<Eigen::Index>(options_.n_live), static_cast<Eigen::Index>(d_));
    live_theta_.resize(live_u_.rows(), live_u_.cols());
    live_log_l_.resize(options_.n_live);
    const std::size_t before = n_like_;
    const RowMatrix fresh =
        replace(pool, options_.n_live, -std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < options_.n_live; ++i)
      store_live(i, fresh.row(static_cast<Eigen::Index>(i)));
    const double kept =
        static_cast<double>(options_.n_live) / static_cast<double>(n_like_ - before);
    log_x_ = std::log(kept);
    // Var(log of the kept fraction) for a negative-binomial estimate: (1 - p) / n.
    log_x0_variance_ = (1.0 - kept) / static_cast<double>(options_.n_live);
    calls_at_update_ = n_like_;
    ++iteration_;
  }

  // Draws `count` replacement points above `threshold` in parallel, one task each.
  RowMatrix replace(Pool& pool, std::size_t count, double threshold) {
    RowMatrix in(static_cast<Eigen::Index>(count), detail::ReplaceTask::input_width);
    for (std::size_t j = 0; j < count; ++j)
      in.row(static_cast<Eigen::Index>(j)) << threshold, static_cast<double>(iteration_),
          static_cast<double>(j);
    RowMatrix out(static_cast<Eigen::Index>(count),
                  static_cast<Eigen::Index>(detail::ReplaceTask::output_width(d_)));
    pool.map(detail::ReplaceTask(problem_, bound_, seed_, options_.max_draws), in, out);
    n_like_ += static_cast<std::size_t>(out.col(out.cols() - 1).sum());
    return out;
  }

  void store_live(std::size_t i, const auto& row) {
    const auto r = static_cast<Eigen::Index>(i), d = static_cast<Eigen::Index>(d_);
    live_u_.row(r) = row.head(d);
    live_theta_.row(r) = row.segment(d, d);
    live_log_l_[i] = row[2 * d];
  }

  void record_dead(std::size_t i, double log_dx) {
    const auto row = live_theta_.row(static_cast<Eigen::Index>(i));
    dead_theta_.insert(dead_theta_.end(), row.data(), row.data() + d_);
    dead_log_l_.push_back(live_log_l_[i]);
    dead_log_dx_.push_back(log_dx);
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

  // The ellipsoid around all live points, if it is smaller than the unit cube; else none.
  void update_bound() {
    Ellipsoid e = Ellipsoid::bounding(live_u_, options_.enlarge);
    if (e.log_volume() < 0.0)
      bound_ = std::move(e);
    else
      bound_.reset();
    calls_at_update_ = n_like_;
  }

  bool converged() const {
    const double max_log_l = *std::max_element(live_log_l_.begin(), live_log_l_.end());
    const double remaining = max_log_l + log_x_;
    return detail::log_add_exp(log_z_, remaining) - log_z_ < options_.dlogz;
  }

  // The live points become the last samples; each holds an equal share of what remains of X.
  void finish() {
    const std::vector<std::size_t> all = lowest_live(options_.n_live);
    const double log_share = log_x_ - std::log(static_cast<double>(options_.n_live));
    for (std::size_t i : all) record_dead(i, log_share);
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

  RowMatrix live_u_, live_theta_;
  std::vector<double> live_log_l_;
  std::optional<Ellipsoid> bound_;  // none: the unit cube

  std::vector<double> dead_theta_, dead_log_l_, dead_log_dx_;
  double log_x_ = 0.0;
  double log_z_ = -std::numeric_limits<double>::infinity();
  double log_x0_variance_ = 0.0;
  std::size_t n_like_ = 0, calls_at_update_ = 0, iteration_ = 0;
  bool finished_ = false;
};

}  // namespace parnest
