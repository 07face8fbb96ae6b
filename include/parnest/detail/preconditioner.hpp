#pragma once
// Smc's preconditioner (pocoMC's idea): z -> whitened (the particles' weighted mean and
// covariance) -> latent (a normalizing flow trained on the whitened particles), with a
// Student-t fitted to the particles' latent images for the Crank-Nicolson moves and the
// refining draws. tests/unit/test_estimators.cpp checks the round trip z -> latent -> z and its
// Jacobians, and the whitening of a known Gaussian.

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "parnest/moves/pcn.hpp"
#include "parnest/neural/flow.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

class Preconditioner {
 public:
  /// How a fit chooses and trains: the training set holds the heaviest particles carrying 99 %
  /// of the weight, between `min_training` and `max_training` of them; the flow (if `flow`) is
  /// created from stream (seed, flow, 0, 0) and trained from (seed, flow, batch, 1).
  struct FitSettings {
    std::size_t min_training, max_training;
    bool flow;
    std::uint64_t seed, batch;
  };

  /// Fits the whitening, the flow (warm-started from the last fit) and the latent Student-t to
  /// the particles `z` (rows) with weights `p` (summing to 1).
  void fit(const Eigen::Ref<const RowMatrix>& z, const Eigen::VectorXd& p, const FitSettings& s) {
    const Eigen::Index d = z.cols();
    mean_ = z.transpose() * p;
    const RowMatrix centred = z.rowwise() - mean_.transpose();
    covariance_ = centred.transpose() * p.asDiagonal() * centred;
    set_whitening();
    // The training set: the heaviest particles holding training_mass of the weight.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(p.size()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return p[a] > p[b]; });
    std::size_t keep = 0;
    for (double mass = 0; keep < order.size() && keep < s.max_training && mass < training_mass;
         ++keep)
      mass += p[order[keep]];
    keep = std::max(keep, std::min(order.size(), s.min_training));
    order.resize(keep);
    std::sort(order.begin(), order.end());
    RowMatrix chosen(static_cast<Eigen::Index>(keep), d);
    Eigen::VectorXd weight(static_cast<Eigen::Index>(keep));
    for (std::size_t j = 0; j < keep; ++j) {
      chosen.row(static_cast<Eigen::Index>(j)) = z.row(order[j]);
      weight[static_cast<Eigen::Index>(j)] = p[order[j]];
    }
    weight /= weight.sum();
    const RowMatrix whitened = whiten(chosen);
    if (s.flow) {
      if (flow_.empty()) {
        RandomStream init(s.seed, StreamPurpose::flow, 0, 0);
        flow_ = neural::CouplingFlow(static_cast<std::size_t>(d), flow_layers, flow_hidden, init);
      }
      RandomStream rng(s.seed, StreamPurpose::flow, s.batch, 1);
      flow_.train(whitened, weight, training, rng);
    }
    RowMatrix eta;
    Eigen::VectorXd unused;
    latent(whitened, eta, unused);
    latent_mean_ = eta.transpose() * weight;
    const RowMatrix spread = eta.rowwise() - latent_mean_.transpose();
    const Eigen::MatrixXd covariance = spread.transpose() * weight.asDiagonal() * spread;
    tail_ = fitted_tail(spread, covariance, weight);
    latent_scale_ = covariance * ((tail_ - 2) / tail_);
    set_preconditioner();
  }

  /// z to the latent space; log_j = log |det d(whitened) / d(latent)|.
  void to_latent(const RowMatrix& z, RowMatrix& eta, Eigen::VectorXd& log_j) const {
    latent(whiten(z), eta, log_j);
  }
  /// Latent points back to z; log_j as for to_latent().
  void from_latent(const RowMatrix& eta, RowMatrix& z, Eigen::VectorXd& log_j) const {
    RowMatrix whitened;
    if (flow_.empty()) {
      whitened = eta;
      log_j = Eigen::VectorXd::Zero(eta.rows());
    } else {
      flow_.inverse(eta, whitened, log_j);
    }
    z = (whitened * lower_.transpose()).rowwise() + mean_.transpose();
  }

  /// The Student-t fitted in the latent space, and its Crank-Nicolson move.
  const StudentPcn& pcn() const noexcept { return pcn_; }
  /// log |det| of the whitening's Cholesky factor: |dz / d(whitened)|.
  double log_det_lower() const noexcept { return log_det_lower_; }
  /// Dimension of the last fit; 0 before the first.
  Eigen::Index dimension() const noexcept { return mean_.size(); }

  /// The fitted state; what derives from it (Cholesky factors, the t's move) is rebuilt on
  /// reading, as after a fit.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& c) {
    ar.sized(c.mean_);
    ar.sized(c.covariance_);
    ar.object(c.flow_);
    ar.sized(c.latent_mean_);
    ar.sized(c.latent_scale_);
    ar.value(c.tail_);
    if constexpr (Archive::loading) {
      const Eigen::Index d = c.mean_.size();
      if (c.covariance_.rows() != d || c.covariance_.cols() != d || c.latent_mean_.size() != d ||
          c.latent_scale_.rows() != d || c.latent_scale_.cols() != d)
        throw IoError("the smc preconditioner's state has inconsistent sizes (mean of " +
                      std::to_string(d) + ", covariance " + std::to_string(c.covariance_.rows()) +
                      " x " + std::to_string(c.covariance_.cols()) + ")");
      if (d > 0) c.set_preconditioner();
    }
  }

 private:
  // The Student-t's degrees of freedom are fitted to the particles' tails, within these limits:
  // a t with heavier tails than the target's moves the particles' radius so slowly that they
  // stay too concentrated: fixed at 4 or 10, log Z of the 16-D Gaussian came out 0.3-0.4 high.
  static constexpr double min_tail = 3.0, max_tail = 1000.0;
  static constexpr std::size_t flow_layers = 4, flow_hidden = 32;
  // Warm-started every iteration, the flow needs few epochs; a faster rate than Adam's usual
  // 1e-3 and smaller batches let early stopping end training in tens of epochs, not hundreds.
  static constexpr neural::Training training{
      .max_epochs = 100, .batch_size = 128, .patience = 10, .learning_rate = 3e-3};
  // The flow trains on the highest-weight particles holding this much of the weight (at most
  // max_training of them): the rest tell it nothing and cost training time.
  static constexpr double training_mass = 0.99;

  // Degrees of freedom from the weighted kurtosis of the Mahalanobis radius: for a t_nu in d
  // dimensions, E[r^4] / (d (d + 2)) = (nu - 2) / (nu - 4), and 1 for a Gaussian.
  static double fitted_tail(const RowMatrix& spread, const Eigen::MatrixXd& covariance,
                            const Eigen::VectorXd& weight) {
    const Eigen::LLT<Eigen::MatrixXd> llt(covariance);
    if (llt.info() != Eigen::Success) return min_tail;
    const Eigen::MatrixXd lower = llt.matrixL();
    const RowMatrix r = lower.triangularView<Eigen::Lower>().solve(spread.transpose()).transpose();
    const Eigen::VectorXd r2 = r.rowwise().squaredNorm();
    const auto d = static_cast<double>(spread.cols());
    const double kurtosis = weight.dot(r2.cwiseAbs2()) / (d * (d + 2));
    if (!(kurtosis > (max_tail - 2) / (max_tail - 4))) return max_tail;
    return std::clamp((4 * kurtosis - 2) / (kurtosis - 1), min_tail, max_tail);
  }

  void set_whitening() {
    const double jitter = 1e-12 * covariance_.diagonal().mean();
    Eigen::LLT<Eigen::MatrixXd> llt(covariance_);
    if (llt.info() != Eigen::Success)
      llt.compute(covariance_ +
                  jitter * Eigen::MatrixXd::Identity(covariance_.rows(), covariance_.cols()));
    lower_ = llt.matrixL();
    log_det_lower_ = lower_.diagonal().array().log().sum();
  }

  void set_preconditioner() {
    set_whitening();
    pcn_ = StudentPcn(latent_mean_, latent_scale_, tail_);
  }

  RowMatrix whiten(const RowMatrix& z) const {
    const RowMatrix centred = z.rowwise() - mean_.transpose();
    return lower_.triangularView<Eigen::Lower>().solve(centred.transpose()).transpose();
  }

  // Whitened points to the flow's latent space; log_j = log |det d(whitened) / d(latent)|.
  void latent(const RowMatrix& whitened, RowMatrix& eta, Eigen::VectorXd& log_j) const {
    if (flow_.empty()) {
      eta = whitened;
      log_j = Eigen::VectorXd::Zero(whitened.rows());
      return;
    }
    flow_.forward(whitened, eta, log_j);
    log_j = -log_j;
  }

  Eigen::VectorXd mean_, latent_mean_;
  Eigen::MatrixXd covariance_, latent_scale_, lower_;
  double log_det_lower_ = 0.0, tail_ = max_tail;
  neural::CouplingFlow flow_;
  StudentPcn pcn_;
};

}  // namespace parnest::detail
