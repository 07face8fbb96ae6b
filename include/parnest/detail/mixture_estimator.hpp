#pragma once
// Batch's evidence: deterministic-mixture importance sampling over every bound sampled. A point
// drawn from bound k has density 1/V_k inside it. With N_k points drawn from each bound, the
// points are a sample of the mixture q(x) = sum_k N_k 1[x in B_k] / V_k / N, so that
// Z = sum_i L_i / D_i with D_i = sum_k N_k 1[x_i in B_k] / V_k. D depends on a point only
// through the bounds holding it, its membership pattern: every sum here runs over the few
// patterns, not the many points, which the run keeps with each point's pattern id.
// tests/unit/test_estimators.cpp checks it against a direct sum over points and a known Z.

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "parnest/detail/log_sum.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

class MixtureEstimator {
 public:
  /// Membership of a point in each bound, one bit each.
  using Bits = std::vector<std::uint64_t>;
  static bool has(const Bits& bits, std::size_t k) { return (bits[k / 64] >> (k % 64)) & 1U; }

  /// A new bound, with no draws counted yet.
  void add_bound() { drawn_.push_back(0.0); }
  /// Counts `n` more points drawn from bound k.
  void add_draws(std::size_t k, double n) { drawn_[k] += n; }

  /// The id of a membership pattern, new ones numbered in the order first seen.
  std::uint32_t pattern_of(const Bits& bits) {
    const auto [it, added] =
        pattern_ids_.emplace(bits, static_cast<std::uint32_t>(patterns_.size()));
    if (added) {
      patterns_.push_back(bits);
      log_s1_.push_back(minus_infinity);
      log_s2_.push_back(minus_infinity);
      log_d_.push_back(minus_infinity);
    }
    return it->second;
  }
  const Bits& pattern(std::uint32_t p) const { return patterns_[p]; }
  std::size_t pattern_count() const noexcept { return patterns_.size(); }

  /// Adds a counted point's likelihood to its pattern's sums of L and L^2.
  void count(std::uint32_t p, double log_l) {
    log_s1_[p] = log_add_exp(log_s1_[p], log_l);
    log_s2_[p] = log_add_exp(log_s2_[p], 2 * log_l);
  }

  /// Forgets every pattern and sum (the run then counts its points again).
  void clear_patterns() {
    patterns_.clear();
    pattern_ids_.clear();
    log_s1_.clear();
    log_s2_.clear();
    log_d_.clear();
  }
  /// Forgets the draws and sums but keeps the patterns: counting starts afresh.
  void reset_counts() {
    std::fill(drawn_.begin(), drawn_.end(), 0.0);
    std::fill(log_s1_.begin(), log_s1_.end(), minus_infinity);
    std::fill(log_s2_.begin(), log_s2_.end(), minus_infinity);
  }

  /// log D of every pattern for the bounds' log volumes `log_v`.
  std::vector<double> log_densities(const std::vector<double>& log_v) const {
    std::vector<double> log_d(patterns_.size(), minus_infinity);
    for (std::size_t k = 0; k < drawn_.size(); ++k) {
      if (drawn_[k] == 0) continue;
      const double term = std::log(drawn_[k]) - log_v[k];
      for (std::size_t p = 0; p < patterns_.size(); ++p)
        if (has(patterns_[p], k)) log_d[p] = log_add_exp(log_d[p], term);
    }
    return log_d;
  }
  /// Sets log D of every pattern from the bounds' log volumes; call after every change.
  void refresh(const std::vector<double>& log_v) { log_d_ = log_densities(log_v); }
  /// log D of pattern p as last refreshed.
  double log_d(std::uint32_t p) const { return log_d_[p]; }

  double log_z() const {
    double z = minus_infinity;
    for (std::size_t p = 0; p < patterns_.size(); ++p)
      if (log_s1_[p] > minus_infinity) z = log_add_exp(z, log_s1_[p] - log_d_[p]);
    return z;
  }

  /// Kish's (sum w)^2 / sum w^2.
  double effective_size() const {
    double s2 = minus_infinity;
    for (std::size_t p = 0; p < patterns_.size(); ++p)
      if (log_s2_[p] > minus_infinity) s2 = log_add_exp(s2, log_s2_[p] - 2 * log_d_[p]);
    return s2 == minus_infinity ? 0.0 : std::exp(2 * log_z() - s2);
  }

  /// The bound whose next batch lowers the variance of Z the most. That variance is
  /// proportional to the integral of L^2 / q; its derivative by the share of draws from bound
  /// k is -(1/V_k) times the integral over B_k of L^2 / q^2, estimated from the points drawn.
  std::size_t most_useful_bound(const std::vector<double>& log_v) const {
    std::size_t best = 0;
    double best_log_g = minus_infinity;
    for (std::size_t k = 0; k < drawn_.size(); ++k) {
      double log_g = minus_infinity;
      for (std::size_t p = 0; p < patterns_.size(); ++p)
        if (has(patterns_[p], k) && log_s2_[p] > minus_infinity)
          log_g = log_add_exp(log_g, log_s2_[p] - 3 * log_d_[p]);
      log_g -= log_v[k];
      if (log_g > best_log_g) {
        best_log_g = log_g;
        best = k;
      }
    }
    return best;
  }

  /// log D is not saved: the run refreshes it from its bounds after reading.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& e) {
    ar.sequence(e.patterns_, [&](auto& bits) { ar.sequence(bits, [&](auto& w) { ar.bits(w); }); });
    ar.sized(e.drawn_);
    ar.sized(e.log_s1_);
    ar.sized(e.log_s2_);
    if constexpr (Archive::loading) {
      const std::size_t p = e.patterns_.size();
      if (e.log_s1_.size() != p || e.log_s2_.size() != p)
        throw IoError("the batch estimator's state has inconsistent sizes (" + std::to_string(p) +
                      " membership patterns, " + std::to_string(e.log_s1_.size()) + " sums)");
      for (const Bits& bits : e.patterns_)
        if (bits.size() != (e.drawn_.size() + 63) / 64)
          throw IoError("the batch estimator's state has a membership pattern of " +
                        std::to_string(bits.size()) + " words for " +
                        std::to_string(e.drawn_.size()) + " bounds");
      e.pattern_ids_.clear();
      for (std::size_t i = 0; i < p; ++i)
        e.pattern_ids_.emplace(e.patterns_[i], static_cast<std::uint32_t>(i));
      e.log_d_.assign(p, minus_infinity);
    }
  }

  /// Bounds counted (with or without draws).
  std::size_t bound_count() const noexcept { return drawn_.size(); }

 private:
  static constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
  std::vector<Bits> patterns_;
  std::map<Bits, std::uint32_t> pattern_ids_;
  std::vector<double> drawn_;                    // N_k: counted points drawn from each bound
  std::vector<double> log_s1_, log_s2_, log_d_;  // per pattern: log sum L, log sum L^2, log D
};

}  // namespace parnest::detail
