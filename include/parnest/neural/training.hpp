#pragma once
/// @file neural/training.hpp
/// What parnest's networks (Mlp, CouplingFlow) share: their training settings, the softsign
/// activation, Glorot initialisation, shuffling and the Adam update.

#include <cmath>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "parnest/rng.hpp"

namespace parnest::detail::neural {

/// How a network is trained.
struct Training {
  std::size_t max_epochs = 100;
  std::size_t batch_size = 256;
  /// Stop after this many epochs without a lower validation loss, keeping the best weights.
  std::size_t patience = 10;
  double learning_rate = 1e-2;
  double validation_fraction = 0.2;
};

/// x / (1 + |x|): smooth like tanh at a fraction of its cost (no exponential; Eigen 3.4 has no
/// vectorised tanh for doubles).
template <class M>
typename M::PlainObject softsign(const Eigen::MatrixBase<M>& z) {
  return (z.array() / (1.0 + z.array().abs())).matrix();
}

/// The slope of softsign, (1 - |a|)^2, in terms of its output a.
inline Eigen::ArrayXXd softsign_slope(const Eigen::MatrixXd& a) {
  return (1.0 - a.array().abs()).square();
}

/// Glorot's uniform initialisation of a weight matrix (out x in).
template <class M>
void glorot(M&& w, RandomStream& rng) {
  const double scale = std::sqrt(6.0 / static_cast<double>(w.rows() + w.cols()));
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = scale * (2 * rng.uniform() - 1);
}

/// Fisher-Yates, from `rng`.
inline void shuffle(std::vector<Eigen::Index>& v, RandomStream& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

/// Adam (Kingma & Ba 2015): the step count and bias corrections shared by every parameter
/// block, and the update of one block from its gradient and moment estimates.
class Adam {
 public:
  /// Starts the next step at learning rate `rate`.
  void next_step(double rate) {
    rate_ = rate;
    step_ += 1;
    c1_ = 1 - std::pow(beta1, step_);
    c2_ = 1 - std::pow(beta2, step_);
  }

  /// Updates `theta` by gradient `g`, with its first and second moment estimates m and v.
  template <class P, class Moment, class G>
  void update(P& theta, Moment& m, Moment& v, const G& g) const {
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g.cwiseAbs2();
    theta.array() -= rate_ * (m.array() / c1_) / ((v.array() / c2_).sqrt() + epsilon);
  }

 private:
  static constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double step_ = 0, c1_ = 0, c2_ = 0, rate_ = 0;
};

}  // namespace parnest::detail::neural
