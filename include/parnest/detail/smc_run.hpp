#pragma once
// The state and steps of one Smc run (parnest::Smc forwards to it; see
// backend/smc.hpp for the options). Compiled into libparnest by src/smc.cpp, or
// into the user's program in header-only mode.
//
// Persistent tempered sequential Monte Carlo with a learned preconditioner (pocoMC, Karamanis
// et al. 2022; persistent sampling, Karamanis & Seljak 2025). Particles move from the prior to
// the posterior through distributions prior x L^beta; each next beta keeps the effective
// sample size of all particles so far near n_eff_per_step; every MCMC step of the active
// particles is one batch through the pool.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "parnest/backend/smc.hpp"
#include "parnest/detail/evaluate_task.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/likelihood_probes.hpp"
#include "parnest/detail/log_sum.hpp"
#include "parnest/detail/memory_check.hpp"
#include "parnest/detail/normal.hpp"
#include "parnest/detail/option_table.hpp"
#include "parnest/detail/persistent_estimator.hpp"
#include "parnest/detail/preconditioner.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/detail/resample.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

class SmcRun {
 public:
  using Options = Smc::Options;

  /// Each option: its rule and the value the run uses (detail/option_table.hpp).
  static const std::vector<OptionRow<Options>>& option_table() {
    using O = Options;
    static const std::vector<OptionRow<O>> table = {
        option("n_eff_per_step", &O::n_eff_per_step,
               [](std::size_t v, const O& o, std::size_t) {
                 return v >= o.n_active ? std::string()
                                        : "must be at least n_active = " + text(o.n_active);
               }),
        option("n_active", &O::n_active, rule::at_least(2)),
        option("n_eff", &O::n_eff,
               [](double v, const O& o, std::size_t) {
                 return std::isfinite(v) && v >= static_cast<double>(o.n_eff_per_step)
                            ? std::string()
                            : "must be finite and at least n_eff_per_step = " +
                                  text(o.n_eff_per_step);
               }),
        option("flow", &O::flow, rule::none(), uses_flow),
        option("target_acceptance", &O::target_acceptance, rule::strictly_between(0.0, 1.0)),
        option("max_correlation", &O::max_correlation, rule::strictly_between(0.0, 1.0)),
        option("max_steps", &O::max_steps, rule::none(), resolved_max_steps),
        option("refine_draws", &O::refine_draws, rule::none()),
    };
    return table;
  }

  /// @throws ConfigError naming the option, its value and the allowed range.
  static void validate(const Options& o, std::size_t dimension) {
    validate_options("Smc", option_table(), o, dimension);
    check_fits_memory(stored_points(o, dimension));
  }

  // A run of the validated model from `seed` (the Sampler validated the options when it was
  // made). A first step that holds over a gigabyte of points is noted before it starts.
  SmcRun(const Problem& problem, const Options& options, std::uint64_t seed)
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

  /// Runs one batch through `pool`: the prior draws, one MCMC step of the active particles, or
  /// a batch of refining draws. Returns false once the run has finished.
  bool step(Pool& pool) {
    switch (phase_) {
      case Phase::prior:
        draw_prior(pool);
        phase_ = Phase::tempering;
        break;
      case Phase::tempering:
        begin_iteration();
        phase_ = Phase::moving;
        [[fallthrough]];
      case Phase::moving:
        move(pool);
        if (moved_enough()) end_iteration();
        break;
      case Phase::refining:
        refine(pool);
        if (refine_log_w_.size() >= options_.refine_draws) phase_ = Phase::done;
        break;
      case Phase::done:
        return false;
    }
    ++batches_;
    return true;
  }

  /// Notes for the user since the last call (a large run).
  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }

  /// Ends the run now with what it has; says what the result misses (nothing if it had ended).
  std::optional<std::string> stop_early() {
    if (phase_ == Phase::done) return std::nullopt;
    phase_ = Phase::done;
    const double beta = estimator_.sets() > 0 ? estimator_.last_beta() : 0.0;
    return "at beta = " + detail::text(beta) +
           (beta < 1 ? ": log Z and the posterior are importance-weighted from tempered "
                       "particles and may be poor"
                     : std::string());
  }

  /// Likelihood calls so far.
  std::size_t n_like() const noexcept { return n_like_; }

  /// Where the run stops: beta still to go, then the posterior's effective samples to go.
  Progress progress() const {
    Progress p;
    p.iteration = batches_;
    p.n_like = n_like_;
    const bool started = estimator_.sets() > 0;
    const bool at_one = started && estimator_.last_beta() == 1.0;
    const double ess = started ? estimator_.effective_size(1.0) : 0.0;
    p.log_z = at_one    ? detail::log_sum_exp(estimator_.log_weights(1.0))
              : started ? estimator_.last_log_z()
                        : 0.0;
    if (at_one) {
      p.remaining = std::max(0.0, options_.n_eff - ess);
      p.remaining_name = "n_eff to go";
    } else {
      p.remaining = 1.0 - (started ? estimator_.last_beta() : 0.0);
      p.remaining_name = "1 - beta";
    }
    p.target = 0.0;
    p.efficiency = n_like_ > 0 ? ess / static_cast<double>(n_like_) : 0.0;
    return p;
  }

  /// The evidence and weighted particles; call once step() has returned false.
  Result result() const {
    Result r;
    const std::vector<double>& log_l = estimator_.log_l();
    const std::size_t n = log_l.size();
    const auto rows = static_cast<Eigen::Index>(n), d = static_cast<Eigen::Index>(d_);
    r.samples = Eigen::Map<const RowMatrix>(theta_.data(), rows, d);
    r.log_likelihoods = Eigen::Map<const Eigen::VectorXd>(log_l.data(), rows);
    const Eigen::VectorXd log_w = estimator_.log_weights(1.0);
    const double log_z = detail::log_sum_exp(log_w);
    r.log_weights = log_w.array() - log_z;
    double h = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      if (log_l[i] > minus_infinity)
        h += std::exp(r.log_weights[static_cast<Eigen::Index>(i)]) * log_l[i];
    r.information = std::max(0.0, h - log_z);
    r.n_eff = estimator_.effective_size(1.0);
    r.log_z = log_z;
    r.log_z_err = estimator_.bootstrap_error(seed_);
    r.log_z_err_information =
        std::sqrt(std::max(0.0, 1.0 / r.n_eff - 1.0 / static_cast<double>(n)));
    if (!refine_log_w_.empty()) {
      const auto [refined, error] = refined_evidence();
      r.log_z = refined;
      r.log_z_err = error;
    }
    r.n_like = n_like_;
    r.n_iterations = batches_;
    r.warnings = warnings_;
    return r;
  }

  /// The particles of highest likelihood, for the checkpoint's likelihood check; u is the
  /// normal CDF of z, as when they were evaluated.
  std::vector<detail::Probe> probes() const {
    return detail::highest_points(estimator_.log_l(), [&](std::size_t i, detail::Probe& p) {
      p.u.resize(d_);
      for (std::size_t c = 0; c < d_; ++c) p.u[c] = detail::normal_cdf(z_[i * d_ + c]);
      detail::copy_row(p.theta, theta_, i, d_);
    });
  }

  /// The whole state of the run, for a checkpoint.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& run) {
    ar.choice(run.phase_);
    ar.sized(run.z_);
    ar.sized(run.theta_);
    ar.object(run.estimator_);
    ar.value(run.rho_);
    ar.value(run.beta_next_);
    ar.value(run.log_z_next_);
    for (auto* n : {&run.batches_, &run.n_like_, &run.steps_}) ar.tally(*n);
    ar.object(run.preconditioner_);
    ar.sized(run.active_z_);
    ar.sized(run.active_eta_);
    ar.sized(run.active_theta_);
    ar.sized(run.active_log_l_);
    ar.sized(run.active_log_j_);
    ar.sized(run.active_start_);
    ar.sized(run.refine_log_w_);
    ar.sequence(run.warnings_);
    if constexpr (Archive::loading) run.check_loaded();
  }

 private:
  // After reading a checkpoint: sizes that fit together, and what derives from them rebuilt.
  void check_loaded() {
    const std::size_t n = estimator_.log_l().size(), sets = estimator_.sets();
    const auto a = static_cast<Eigen::Index>(options_.n_active);
    const auto d = static_cast<Eigen::Index>(d_);
    const bool moving = phase_ == Phase::moving;
    const bool consistent =
        z_.size() == n * d_ && theta_.size() == n * d_ &&
        (!moving || (active_z_.rows() == a && active_z_.cols() == d && active_eta_.rows() == a &&
                     active_theta_.rows() == a && active_log_l_.size() == a &&
                     active_log_j_.size() == a && active_start_.rows() == a)) &&
        (phase_ == Phase::prior || phase_ == Phase::tempering || preconditioner_.dimension() == d);
    if (!consistent)
      throw IoError("the smc state has inconsistent sizes (" + std::to_string(n) + " particles, " +
                    std::to_string(sets) + " temperatures)");
  }

  enum class Phase { prior, tempering, moving, refining, done, last = done };
  static constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
  // |z| beyond which the prior (1e-15 of its mass) is cut off, so that u = Phi(z) stays
  // strictly inside (0, 1) for every prior transform.
  static constexpr double support = 8.0;
  static bool uses_flow(const Options& o, std::size_t d) { return o.flow && d >= 2; }
  // Every particle is kept: z, theta, log L and its log density.
  static detail::StoredPoints stored_points(const Options& o, std::size_t d) {
    return {"Smc", "n_eff", o.n_eff, 2.0 * static_cast<double>(d) + 2.0};
  }
  static std::size_t resolved_max_steps(const Options& o, std::size_t d) {
    return o.max_steps > 0 ? o.max_steps : 10 * (d + 2);
  }
  // Adds the moved particles as a new set, made at `beta` with normalisation estimate log_z.
  void add_set(const RowMatrix& z, const RowMatrix& theta, const Eigen::VectorXd& log_l,
               double beta, double log_z) {
    estimator_.add_set(log_l, beta, log_z);
    for (Eigen::Index j = 0; j < log_l.size(); ++j) {
      z_.insert(z_.end(), z.row(j).data(), z.row(j).data() + d_);
      theta_.insert(theta_.end(), theta.row(j).data(), theta.row(j).data() + d_);
    }
  }

  // ---- the iterations ----------------------------------------------------------------------

  // The first set: 2 n_eff_per_step prior draws (twice, so that the first beta is a real step).
  void draw_prior(Pool& pool) {
    RandomStream rng(seed_, StreamPurpose::temper, 0, 0);
    const auto n = static_cast<Eigen::Index>(2 * options_.n_eff_per_step);
    const auto d = static_cast<Eigen::Index>(d_);
    RowMatrix u(n, d), z(n, d);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index k = 0; k < d; ++k) {
        u(j, k) = rng.uniform_open();
        z(j, k) = detail::normal_quantile(u(j, k));
      }
    const RowMatrix out = evaluate(pool, u);
    const Eigen::VectorXd log_l = out.col(d);
    if (log_l.maxCoeff() == minus_infinity)
      throw SamplerError("the log-likelihood is -infinity at all " + std::to_string(n) +
                         " prior draws: the likelihood may be -infinity almost everywhere");
    add_set(z, out.leftCols(d), log_l, 0.0, 0.0);
  }

  // While beta is 0 every particle is a prior draw. Beta can rise only once n_eff_per_step of them
  // have a finite log L; below 0.2 % of the prior that takes millions of calls (0.1 %: still at
  // beta 0 after 300k), so the run stops and says why. At 1 % it finishes (187k calls, within
  // 0.3 sigma on a truncated 2-D Gaussian), so 0.2 % leaves such runs alone even when the
  // first 1,024 draws happen to hold few finite ones.
  void check_support() const {
    if (estimator_.last_beta() != 0.0) return;
    const std::vector<double>& log_l = estimator_.log_l();
    const std::size_t n = log_l.size();
    const auto finite = static_cast<std::size_t>(
        std::count_if(log_l.begin(), log_l.end(), [](double x) { return x > minus_infinity; }));
    if (static_cast<double>(finite) > min_support_share * static_cast<double>(n)) return;
    const double share = static_cast<double>(finite) / static_cast<double>(n);
    throw SamplerError(
        "Smc cannot start tempering: only " + std::to_string(finite) + " of " + std::to_string(n) +
        " prior draws (" + detail::text(100.0 * share) +
        " %) have a finite log-likelihood, and beta can rise above 0 only once n_eff_per_step = " +
        std::to_string(options_.n_eff_per_step) +
        " of them do. The likelihood is -infinity on nearly all of the prior: use "
        "parnest::Sequential or parnest::Batch, which draw only where it is finite, or a prior "
        "confined to that region");
  }
  static constexpr double min_support_share = 0.002;

  // Chooses the next beta, resamples the active particles from all particles weighted for it,
  // and fits the preconditioner to the same weighted particles.
  void begin_iteration() {
    check_support();
    beta_next_ = estimator_.next_beta(static_cast<double>(options_.n_eff_per_step));
    const Eigen::VectorXd log_w = estimator_.log_weights(beta_next_);
    log_z_next_ = detail::log_sum_exp(log_w);
    const Eigen::VectorXd p = (log_w.array() - log_z_next_).exp();
    fit_preconditioner(p);
    RandomStream rng(seed_, StreamPurpose::temper, batches_, 1);
    const auto a = static_cast<Eigen::Index>(options_.n_active);
    const auto d = static_cast<Eigen::Index>(d_);
    const std::vector<Eigen::Index> picked = detail::systematic_resample(
        options_.n_active, p.size(), rng.uniform(), [&](Eigen::Index i) { return p[i]; });
    active_z_.resize(a, d);
    active_theta_.resize(a, d);
    active_log_l_.resize(a);
    for (Eigen::Index j = 0; j < a; ++j) {
      const Eigen::Index i = picked[static_cast<std::size_t>(j)];
      active_z_.row(j) =
          Eigen::Map<const Eigen::RowVectorXd>(&z_[static_cast<std::size_t>(i) * d_], d);
      active_theta_.row(j) =
          Eigen::Map<const Eigen::RowVectorXd>(&theta_[static_cast<std::size_t>(i) * d_], d);
      active_log_l_[j] = estimator_.log_l()[static_cast<std::size_t>(i)];
    }
    preconditioner_.to_latent(active_z_, active_eta_, active_log_j_);
    active_start_ = active_eta_;
    steps_ = 0;
  }

  // The preconditioner fitted to all particles with weights p.
  void fit_preconditioner(const Eigen::VectorXd& p) {
    const Eigen::Map<const RowMatrix> z(z_.data(), p.size(), static_cast<Eigen::Index>(d_));
    preconditioner_.fit(z, p,
                        {.min_training = options_.n_active,
                         .max_training = 4 * options_.n_eff_per_step,
                         .flow = uses_flow(options_, d_),
                         .seed = seed_,
                         .batch = batches_});
  }

  // Which rows of z lie inside the support; their u = Phi(z) in `u`, in row order.
  std::vector<Eigen::Index> inside_support(const RowMatrix& z, RowMatrix& u) const {
    std::vector<Eigen::Index> rows;
    for (Eigen::Index j = 0; j < z.rows(); ++j)
      if (z.row(j).allFinite() && z.row(j).cwiseAbs().maxCoeff() <= support) rows.push_back(j);
    u.resize(static_cast<Eigen::Index>(rows.size()), z.cols());
    for (std::size_t k = 0; k < rows.size(); ++k)
      for (Eigen::Index c = 0; c < z.cols(); ++c)
        u(static_cast<Eigen::Index>(k), c) = detail::normal_cdf(z(rows[k], c));
    return rows;
  }

  // The likelihoods at the rows of u, through the pool: columns theta, then log L.
  RowMatrix evaluate(Pool& pool, const RowMatrix& u) {
    RowMatrix out(u.rows(), static_cast<Eigen::Index>(detail::EvaluateTask::output_width(d_)));
    if (u.rows() > 0) pool.map(detail::EvaluateTask(problem_), u, out);
    n_like_ += static_cast<std::size_t>(u.rows());
    return out;
  }

  // One preconditioned Crank-Nicolson step of every active particle, targeting
  // prior x L^beta_next: the proposals are one batch through the pool.
  void move(Pool& pool) {
    RandomStream rng(seed_, StreamPurpose::temper, batches_, 2);
    const auto a = active_eta_.rows(), d = static_cast<Eigen::Index>(d_);
    RowMatrix eta(a, d);
    for (Eigen::Index j = 0; j < a; ++j)
      eta.row(j) =
          preconditioner_.pcn().propose(active_eta_.row(j).transpose(), rho_, rng).transpose();
    RowMatrix z, u;
    Eigen::VectorXd log_j;
    preconditioner_.from_latent(eta, z, log_j);
    const std::vector<Eigen::Index> rows = inside_support(z, u);
    const RowMatrix out = evaluate(pool, u);
    std::size_t accepted = 0, k = 0;  // k: the next evaluated row, in proposal order
    for (Eigen::Index j = 0; j < a; ++j) {
      const double log_u = std::log(rng.uniform_open());  // drawn for every proposal
      if (k == rows.size() || rows[k] != j) continue;     // outside the support
      const auto row = static_cast<Eigen::Index>(k++);
      const double log_l = out(row, d);
      const double log_ratio = PersistentEstimator::tempered(beta_next_, log_l) -
                               PersistentEstimator::tempered(beta_next_, active_log_l_[j]) -
                               0.5 * (z.row(j).squaredNorm() - active_z_.row(j).squaredNorm()) +
                               log_j[j] - active_log_j_[j] -
                               preconditioner_.pcn().log_density(eta.row(j).transpose()) +
                               preconditioner_.pcn().log_density(active_eta_.row(j).transpose());
      if (!(log_u < log_ratio)) continue;
      ++accepted;
      active_eta_.row(j) = eta.row(j);
      active_z_.row(j) = z.row(j);
      active_theta_.row(j) = out.row(row).leftCols(d);
      active_log_l_[j] = log_l;
      active_log_j_[j] = log_j[j];
    }
    // Towards the target acceptance: a longer step when more are accepted, a shorter when fewer.
    const double rate = static_cast<double>(accepted) / static_cast<double>(a);
    rho_ = std::clamp(rho_ * std::exp(rate - options_.target_acceptance), 0.01, 0.99);
    ++steps_;
  }

  bool moved_enough() const {
    return steps_ >= resolved_max_steps(options_, d_) ||
           start_correlation() < options_.max_correlation;
  }

  // The correlation across active particles between each latent coordinate's value before the
  // moves and now, averaged over the coordinates.
  double start_correlation() const {
    const RowMatrix a = active_start_.rowwise() - active_start_.colwise().mean();
    const RowMatrix b = active_eta_.rowwise() - active_eta_.colwise().mean();
    double sum = 0.0;
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      const double norms = a.col(c).norm() * b.col(c).norm();
      sum += norms > 0 ? a.col(c).dot(b.col(c)) / norms : 1.0;
    }
    return sum / static_cast<double>(a.cols());
  }

  // The moved particles become the set for beta_next; then the next temperature, the refining
  // draws, or the end.
  void end_iteration() {
    add_set(active_z_, active_theta_, active_log_l_, beta_next_, log_z_next_);
    if (beta_next_ < 1.0 || estimator_.effective_size(1.0) < options_.n_eff)
      phase_ = Phase::tempering;
    else
      phase_ = options_.refine_draws > 0 ? Phase::refining : Phase::done;
  }

  // A batch of n_active draws from the final preconditioner (the Student-t in the latent space,
  // through the flow and the whitening), each with its importance weight for the posterior.
  void refine(Pool& pool) {
    RandomStream rng(seed_, StreamPurpose::refine, batches_, 0);
    const auto d = static_cast<Eigen::Index>(d_);
    const auto n = static_cast<Eigen::Index>(
        std::min(options_.n_active, options_.refine_draws - refine_log_w_.size()));
    RowMatrix eta(n, d), z, u;
    Eigen::VectorXd log_t(n), log_j;
    for (Eigen::Index j = 0; j < n; ++j) {
      const Eigen::VectorXd x = preconditioner_.pcn().draw(rng);
      eta.row(j) = x.transpose();
      log_t[j] = preconditioner_.pcn().log_normalised_density(x);
    }
    preconditioner_.from_latent(eta, z, log_j);
    const std::vector<Eigen::Index> rows = inside_support(z, u);
    const RowMatrix out = evaluate(pool, u);
    std::vector<double> log_w(static_cast<std::size_t>(n), minus_infinity);
    const double log_norm = -0.5 * static_cast<double>(d_) * std::log(2 * std::numbers::pi);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const Eigen::Index j = rows[k];
      // q(z) = t(eta) / |dz/deta|, with |dz/deta| = |det lower| |d(whitened)/d(eta)|.
      const double log_q = log_t[j] - preconditioner_.log_det_lower() - log_j[j];
      const double log_prior = log_norm - 0.5 * z.row(j).squaredNorm();
      log_w[static_cast<std::size_t>(j)] = out(static_cast<Eigen::Index>(k), d) + log_prior - log_q;
    }
    refine_log_w_.insert(refine_log_w_.end(), log_w.begin(), log_w.end());
  }

  // log Z from the refining draws, and its standard error (delta method).
  std::pair<double, double> refined_evidence() const {
    const Eigen::Map<const Eigen::VectorXd> log_w(refine_log_w_.data(),
                                                  static_cast<Eigen::Index>(refine_log_w_.size()));
    const double top = log_w.maxCoeff();
    if (top == minus_infinity) return {minus_infinity, std::numeric_limits<double>::infinity()};
    const Eigen::ArrayXd w = (log_w.array() - top).exp();
    const auto n = static_cast<double>(w.size());
    const double mean = w.mean(), variance = (w - mean).square().sum() / (n - 1);
    return {top + std::log(mean), std::sqrt(variance / n) / mean};
  }

  const detail::Problem& problem_;
  Options options_;
  std::uint64_t seed_;
  std::size_t d_;

  Phase phase_ = Phase::prior;
  std::vector<double> z_, theta_;              // every particle, in the order made
  PersistentEstimator estimator_;              // their log L, sets and evidence
  double beta_next_ = 0.0, log_z_next_ = 0.0;  // the iteration under way
  double rho_ = 0.5;                           // Crank-Nicolson step, adapted
  std::size_t batches_ = 0, n_like_ = 0, steps_ = 0;

  Preconditioner preconditioner_;  // z -> whitened -> latent, and the t fitted there

  // The active particles being moved, in z and latent space.
  RowMatrix active_z_, active_eta_, active_theta_, active_start_;
  Eigen::VectorXd active_log_l_, active_log_j_;

  std::vector<double> refine_log_w_;
  std::vector<std::string> warnings_;
  std::vector<std::string> notes_;
};

}  // namespace parnest::detail
