#pragma once
// Smc's evidence: persistent sampling's estimator (Karamanis & Seljak 2025). The particles of
// set s (n_s of them, made at beta_s) are taken as draws from p_s = prior L^beta_s / Z_s, so
// all particles together are draws from the mixture sum_s n_s p_s. Relative to the prior, that
// mixture's density at a particle is D = sum_s n_s L^beta_s / Z_s, and for any beta,
// w = L^beta / D are importance weights for prior L^beta whose sum estimates Z_beta. log D of
// every particle is kept up to date as sets are added. Only the particles' log L matter here;
// their positions stay with the run. tests/unit/test_estimators.cpp checks it against a direct
// sum and against closed-form evidences.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/log_sum.hpp"
#include "parnest/detail/spread.hpp"
#include "parnest/error.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

class PersistentEstimator {
 public:
  /// log L^beta, which is 0 at beta = 0 even where L = 0.
  static double tempered(double beta, double log_l) { return beta == 0.0 ? 0.0 : beta * log_l; }

  /// Adds particles made at `beta` (whose normalisation was estimated as log_z) as a new set.
  void add_set(const Eigen::VectorXd& log_l, double beta, double log_z) {
    const double log_n = std::log(static_cast<double>(log_l.size()));
    for (std::size_t i = 0; i < log_l_.size(); ++i)
      log_d_[i] = log_add_exp(log_d_[i], log_share(log_n, beta, log_l_[i], log_z));
    std::vector<double> log_sizes;
    for (std::size_t s = 0; s < beta_.size(); ++s)
      log_sizes.push_back(std::log(static_cast<double>(set_size(s))));
    log_sizes.push_back(log_n);
    set_start_.push_back(log_l_.size());
    beta_.push_back(beta);
    log_z_.push_back(log_z);
    for (Eigen::Index j = 0; j < log_l.size(); ++j) {
      log_l_.push_back(log_l[j]);
      double log_d = minus_infinity;
      for (std::size_t s = 0; s < beta_.size(); ++s)
        log_d = log_add_exp(log_d, log_share(log_sizes[s], beta_[s], log_l[j], log_z_[s]));
      log_d_.push_back(log_d);
    }
  }

  /// log w = log L^beta - log D of every particle, in the order added.
  Eigen::VectorXd log_weights(double beta) const {
    Eigen::VectorXd w(static_cast<Eigen::Index>(log_l_.size()));
    for (std::size_t i = 0; i < log_l_.size(); ++i)
      w[static_cast<Eigen::Index>(i)] = tempered(beta, log_l_[i]) - log_d_[i];
    return w;
  }

  /// Kish's (sum w)^2 / sum w^2 of the weights for beta.
  double effective_size(double beta) const {
    const Eigen::VectorXd log_w = log_weights(beta);
    const double top = log_w.size() ? log_w.maxCoeff() : minus_infinity;
    if (top == minus_infinity) return 0.0;
    const Eigen::ArrayXd w = (log_w.array() - top).exp();
    return w.sum() * w.sum() / w.square().sum();
  }

  /// The next beta after the last set's: where the effective sample size of all particles
  /// falls to `target` (bisection; the size decreases with beta).
  double next_beta(double target) const {
    const double previous = beta_.back();
    if (previous == 1.0 || effective_size(previous) <= target) return previous;
    if (effective_size(1.0) >= target) return 1.0;
    double low = previous, high = 1.0;
    for (int k = 0; k < 64; ++k) {
      const double mid = 0.5 * (low + high);
      const double ess = effective_size(mid);
      if (std::abs(ess - target) < 0.01 * target) return mid;
      (ess < target ? high : low) = mid;
    }
    return low;
  }

  /// Standard error of log Z at beta = 1: bootstrap replicates that redraw every set's
  /// particles from that set (with replacement) and redo the whole chain of estimates Z_1,
  /// Z_2, ... with the same betas, so that the error of each normalisation propagates into the
  /// next as in the run.
  double bootstrap_error(std::uint64_t seed) const {
    constexpr int replicates = 100;
    const std::size_t sets = beta_.size();
    if (sets == 0) return std::numeric_limits<double>::infinity();
    std::vector<double> log_l, log_d, log_z(sets), log_n(sets);
    std::vector<std::size_t> set_end(sets);
    for (std::size_t s = 0; s < sets; ++s) {
      log_n[s] = std::log(static_cast<double>(set_size(s)));
      set_end[s] = set_start_[s] + set_size(s);
    }
    Spread spread;
    for (int r = 0; r < replicates; ++r) {
      RandomStream rng(seed, StreamPurpose::bootstrap, static_cast<std::uint64_t>(r), 0);
      log_l.clear();
      for (std::size_t s = 0; s < sets; ++s)
        for (std::size_t j = 0; j < set_size(s); ++j)
          log_l.push_back(log_l_[set_start_[s] + rng.below(set_size(s))]);
      log_d.assign(log_l.size(), minus_infinity);
      log_z[0] = log_z_[0];
      for (std::size_t t = 1; t <= sets; ++t) {
        const std::size_t s = t - 1;  // set s joins the mixture
        for (std::size_t j = 0; j < set_start_[s]; ++j)
          log_d[j] = log_add_exp(log_d[j], log_share(log_n[s], beta_[s], log_l[j], log_z[s]));
        for (std::size_t j = set_start_[s]; j < set_end[s]; ++j)
          for (std::size_t q = 0; q <= s; ++q)
            log_d[j] = log_add_exp(log_d[j], log_share(log_n[q], beta_[q], log_l[j], log_z[q]));
        const double beta = t < sets ? beta_[t] : 1.0;
        double z = minus_infinity;
        for (std::size_t j = 0; j < set_end[s]; ++j)
          z = log_add_exp(z, tempered(beta, log_l[j]) - log_d[j]);
        if (t < sets)
          log_z[t] = z;
        else if (std::isfinite(z))
          spread.add(z);
      }
    }
    return spread.deviation();
  }

  /// Every particle's log L, in the order added.
  const std::vector<double>& log_l() const noexcept { return log_l_; }
  std::size_t sets() const noexcept { return beta_.size(); }
  /// The last set's beta and log Z estimate; call only once a set was added.
  double last_beta() const { return beta_.back(); }
  double last_log_z() const { return log_z_.back(); }

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& e) {
    ar.sized(e.log_l_);
    ar.sized(e.log_d_);
    ar.sized(e.set_start_);
    ar.sized(e.beta_);
    ar.sized(e.log_z_);
    if constexpr (Archive::loading) e.check_sizes();
  }

 private:
  static constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

  // log of set s's share n_s L^beta_s / Z_s of the mixture density D at a particle.
  static double log_share(double log_n, double beta, double log_l, double log_z) {
    return log_n + tempered(beta, log_l) - log_z;
  }

  std::size_t set_size(std::size_t s) const {
    return (s + 1 < set_start_.size() ? set_start_[s + 1] : log_l_.size()) - set_start_[s];
  }

  // @throws IoError unless the sizes read fit together.
  void check_sizes() const {
    const std::size_t n = log_l_.size(), sets = beta_.size();
    if (log_d_.size() != n || set_start_.size() != sets || log_z_.size() != sets ||
        !std::is_sorted(set_start_.begin(), set_start_.end()) ||
        (sets > 0 && (set_start_.front() != 0 || set_start_.back() >= n)))
      throw IoError("the smc estimator's state has inconsistent sizes (" + std::to_string(n) +
                    " particles, " + std::to_string(sets) + " temperatures)");
  }

  std::vector<double> log_l_, log_d_;   // every particle, in the order added
  std::vector<std::size_t> set_start_;  // the first particle of each set
  std::vector<double> beta_, log_z_;    // each set's beta and log Z_beta
};

}  // namespace parnest::detail
