#pragma once
/// @file neural/flow.hpp
/// A normalizing flow of affine coupling layers (RealNVP, Dinh et al. 2017) that maps points to a
/// standard normal latent space, with its own training loop: weighted maximum likelihood, Adam,
/// mini-batches and early stopping on a held-out fraction. Eigen only, gradients by hand.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/flat.hpp"
#include "parnest/error.hpp"
#include "parnest/neural/training.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail::neural {

/// An invertible map x -> eta in `dimension` variables made of affine coupling layers. Each
/// layer keeps one half A of the variables and moves the other half B:
/// y_B = x_B * exp(s(x_A)) + t(x_A), with s and t from a small network of x_A. The halves
/// alternate from layer to layer, so every variable is moved.
class CouplingFlow {
 public:
  /// No layers: the identity, dimension() == 0, empty() == true.
  CouplingFlow() = default;

  /// `layers` (>= 1) affine coupling layers in `dimension` (>= 2) variables, each conditioner a
  /// network with two hidden layers of `hidden` (>= 1) units. Hidden weights are drawn from
  /// `rng` (Glorot); the conditioner's output layer starts at zero, so a new flow is exactly the
  /// identity.
  /// @throws ConfigError if dimension < 2, layers == 0 or hidden == 0.
  CouplingFlow(std::size_t dimension, std::size_t layers, std::size_t hidden, RandomStream& rng)
      : CouplingFlow(zeros(dimension, layers, hidden)) {
    for (std::size_t l = 0; l < layers_; ++l) {
      auto net = conditioner(l, theta_.data());
      glorot(net.w1, rng);
      glorot(net.w2, rng);
    }
  }

  std::size_t dimension() const noexcept { return dimension_; }
  bool empty() const noexcept { return layers_ == 0; }

  /// Rows of x (n x d) to rows of eta; log_det[i] = log|det d eta / d x| at row i. `eta` may be
  /// `x`.
  void forward(const RowMatrix& x, RowMatrix& eta, Eigen::VectorXd& log_det) const {
    map(x, eta, log_det, false);
  }

  /// Rows of eta to rows of x; log_det[i] = log|det d x / d eta| at row i. `x` may be `eta`.
  void inverse(const RowMatrix& eta, RowMatrix& x, Eigen::VectorXd& log_det) const {
    map(eta, x, log_det, true);
  }

  /// Maximises sum_i w_i log q(x_i) / sum_i w_i, q being the density of x when eta ~ N(0, I),
  /// starting from the current parameters (warm start). A random validation_fraction of the
  /// rows (drawn with `rng`) is held out; stops after `patience` epochs without a lower weighted
  /// validation loss, keeping the best parameters (the starting ones count). Rows with zero
  /// weight are ignored. Returns the best validation loss (weighted mean negative log-density
  /// per point); if no row could be held out, the loss over the training rows stands in.
  /// @throws ConfigError on an empty flow, mismatched sizes, negative or non-finite weights, no
  /// positive weight, non-finite x in a weighted row, or out-of-range training options.
  double train(const RowMatrix& x, const Eigen::VectorXd& weights, const Training& training,
               RandomStream& rng) {
    check_training(x, weights, training);
    std::vector<Eigen::Index> kept;
    for (Eigen::Index i = 0; i < weights.size(); ++i)
      if (weights[i] > 0) kept.push_back(i);
    shuffle(kept, rng);
    const std::size_t n = kept.size();
    const std::size_t n_valid = std::min(
        n - 1, static_cast<std::size_t>(training.validation_fraction * static_cast<double>(n)));
    const auto split = kept.begin() + static_cast<std::ptrdiff_t>(n_valid);
    const std::vector<Eigen::Index> valid_rows(kept.begin(), split), train_rows(split, kept.end());
    // Points as columns: the layout of the conditioners' matrix products.
    const Eigen::MatrixXd x_train = x(train_rows, Eigen::all).transpose();
    if (!x_train.allFinite() || !x(valid_rows, Eigen::all).allFinite())
      throw ConfigError("CouplingFlow::train: x has non-finite values in rows of positive weight");
    // Scaled to mean 1, so that a uniform mini-batch's mean loss estimates the weighted mean.
    Eigen::RowVectorXd w_train = weights(train_rows).transpose();
    w_train /= w_train.mean();
    const Eigen::MatrixXd x_valid =
        n_valid > 0 ? Eigen::MatrixXd(x(valid_rows, Eigen::all).transpose()) : x_train;
    const Eigen::RowVectorXd w_valid =
        n_valid > 0 ? Eigen::RowVectorXd(weights(valid_rows).transpose()) : w_train;

    Adam adam;
    Eigen::VectorXd m = Eigen::VectorXd::Zero(theta_.size()), v = m;  // Adam's moments
    Eigen::VectorXd gradient(theta_.size());
    std::vector<Eigen::Index> order(train_rows.size());
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    double best = mean_nll(x_valid, w_valid);
    Eigen::VectorXd best_theta = theta_;
    std::size_t since_best = 0;
    for (std::size_t epoch = 0; epoch < training.max_epochs && since_best < training.patience;
         ++epoch) {
      shuffle(order, rng);
      for (std::size_t start = 0; start < order.size(); start += training.batch_size) {
        const std::vector<Eigen::Index> cols(
            order.begin() + static_cast<std::ptrdiff_t>(start),
            order.begin() +
                static_cast<std::ptrdiff_t>(std::min(order.size(), start + training.batch_size)));
        const Eigen::RowVectorXd w = w_train(cols) / static_cast<double>(cols.size());
        backprop(x_train(Eigen::all, cols), w, gradient);
        adam.next_step(training.learning_rate);
        adam.update(theta_, m, v, gradient);
      }
      const double loss = mean_nll(x_valid, w_valid);
      if (loss < best) {  // false for NaN: a diverged epoch never becomes the best
        best = loss;
        best_theta = theta_;
        since_best = 0;
      } else {
        ++since_best;
      }
    }
    theta_ = best_theta;
    return best;
  }

  /// All parameters in one array (layer by layer; in each, the conditioner's weights and biases
  /// from input to output, matrices column-major), for transport and for tests. The spans
  /// must hold parameter_count() values (ConfigError otherwise).
  std::size_t parameter_count() const noexcept { return static_cast<std::size_t>(theta_.size()); }
  void write_parameters(std::span<double> out) const {
    check_count(out.size());
    Eigen::Map<Eigen::VectorXd>(out.data(), theta_.size()) = theta_;
  }
  void read_parameters(std::span<const double> in) {
    check_count(in.size());
    theta_ = Eigen::Map<const Eigen::VectorXd>(in.data(), theta_.size());
  }

  /// The training objective, sum_i w_i (-log q(x_i)) / sum_i w_i over the rows of x, and its
  /// gradient with respect to the parameters (parameter_count() values, in write_parameters()
  /// order). train() uses the same backward pass; this hook lets tests check it against finite
  /// differences.
  double loss_and_gradient(const RowMatrix& x, const Eigen::VectorXd& weights,
                           std::span<double> gradient) const {
    const double total = weights.sum();
    if (empty() || x.cols() != static_cast<Eigen::Index>(dimension_) ||
        weights.size() != x.rows() || gradient.size() != parameter_count() || !(total > 0))
      throw ConfigError(
          "CouplingFlow::loss_and_gradient: sizes do not match the flow, or no positive weight");
    Eigen::VectorXd g;
    const double loss = backprop(x.transpose(), weights.transpose() / total, g);
    Eigen::Map<Eigen::VectorXd>(gradient.data(), g.size()) = g;
    return loss;
  }

  /// Reading checks that the sizes describe a flow.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& flow) {
    ar.tally(flow.dimension_);
    ar.tally(flow.layers_);
    ar.tally(flow.hidden_);
    ar.sized(flow.theta_);
    if constexpr (Archive::loading) {
      flow.half_ = flow.dimension_ / 2;
      flow.check_sizes();
    }
  }

 private:
  // @throws IoError unless the flow is empty or its parameter count fits its sizes.
  void check_sizes() const {
    const auto count = static_cast<std::size_t>(theta_.size());
    const bool is_empty = dimension_ == 0 && layers_ == 0 && hidden_ == 0 && count == 0;
    // In doubles: corrupt counts could overflow size_t, and a mismatch is all that matters.
    const double a = static_cast<double>(dimension_ / 2), b = static_cast<double>(dimension_) - a,
                 h = static_cast<double>(hidden_);
    const double expected =
        static_cast<double>(layers_) * (h * a + h + h * h + h + 2 * b * h + 2 * b);
    if (!is_empty &&
        (dimension_ < 2 || layers_ == 0 || hidden_ == 0 || static_cast<double>(count) != expected))
      throw IoError("a coupling flow's data is corrupt: dimension " + std::to_string(dimension_) +
                    ", " + std::to_string(layers_) + " layers of " + std::to_string(hidden_) +
                    " hidden units and " + std::to_string(count) + " parameters do not fit");
  }

  // The soft clamp s = c tanh(r / c): log-scales stay in (-c, c), so that one large step cannot
  // blow a layer's output up; its slope at r = 0 is 1, so small scales are left as they are.
  static constexpr double clamp_ = 2.0;

  // One conditioner's parameters inside a flat array: A -> hidden -> hidden -> (r, t).
  // Scalar is const double for reading and double for writing (parameters or gradients).
  template <class Scalar>
  struct Conditioner {
    using Matrix = Eigen::Map<
        std::conditional_t<std::is_const_v<Scalar>, const Eigen::MatrixXd, Eigen::MatrixXd>>;
    using Vector = Eigen::Map<
        std::conditional_t<std::is_const_v<Scalar>, const Eigen::VectorXd, Eigen::VectorXd>>;
    Matrix w1;  // hidden x |A|
    Vector b1;
    Matrix w2;  // hidden x hidden
    Vector b2;
    Matrix w3;  // 2|B| x hidden: raw log-scales r above, shifts t below
    Vector b3;
  };

  // Intermediate values of a forward pass that the backward pass reads, per layer.
  struct Tape {
    explicit Tape(std::size_t layers) : input(layers), h1(layers), h2(layers), s(layers) {}
    std::vector<Eigen::MatrixXd> input, h1, h2;
    std::vector<Eigen::ArrayXXd> s;
  };

  // A flow of the given shape with every parameter zero: the identity.
  static CouplingFlow zeros(std::size_t dimension, std::size_t layers, std::size_t hidden) {
    if (dimension < 2)
      throw ConfigError("CouplingFlow: a flow needs at least 2 variables, but dimension is " +
                        std::to_string(dimension));
    if (layers == 0 || hidden == 0)
      throw ConfigError("CouplingFlow: layers and hidden must be at least 1 (got " +
                        std::to_string(layers) + " and " + std::to_string(hidden) + ")");
    CouplingFlow flow;
    flow.dimension_ = dimension;
    flow.layers_ = layers;
    flow.hidden_ = hidden;
    flow.half_ = dimension / 2;
    flow.theta_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(layers) * flow.per_layer());
    return flow;
  }

  Eigen::Index size_a() const noexcept { return static_cast<Eigen::Index>(half_); }
  Eigen::Index size_b() const noexcept { return static_cast<Eigen::Index>(dimension_ - half_); }
  // A is the first floor(d/2) variables in even layers and the last floor(d/2) in odd ones.
  Eigen::Index start_a(std::size_t l) const noexcept { return l % 2 == 0 ? 0 : size_b(); }
  Eigen::Index start_b(std::size_t l) const noexcept { return l % 2 == 0 ? size_a() : 0; }

  Eigen::Index per_layer() const noexcept {
    const Eigen::Index a = size_a(), b = size_b(), h = static_cast<Eigen::Index>(hidden_);
    return h * a + h + h * h + h + 2 * b * h + 2 * b;
  }

  // Layer l's conditioner inside `base`, an array laid out like theta_.
  template <class Scalar>
  Conditioner<Scalar> conditioner(std::size_t l, Scalar* base) const {
    using C = Conditioner<Scalar>;
    const Eigen::Index a = size_a(), b = size_b(), h = static_cast<Eigen::Index>(hidden_);
    Scalar* p = base + static_cast<Eigen::Index>(l) * per_layer();
    Scalar* const p1 = p + h * a;
    Scalar* const p2 = p1 + h;
    Scalar* const p3 = p2 + h * h;
    Scalar* const p4 = p3 + h;
    Scalar* const p5 = p4 + 2 * b * h;
    return {typename C::Matrix(p, h, a),      typename C::Vector(p1, h),
            typename C::Matrix(p2, h, h),     typename C::Vector(p3, h),
            typename C::Matrix(p4, 2 * b, h), typename C::Vector(p5, 2 * b)};
  }

  // c tanh(r / c) written as c (1 - 2 / (exp(2 r / c) + 1)), because Eigen vectorises exp but
  // not tanh for doubles. Exact 0 at r = 0, and +-c (not NaN) when exp overflows or vanishes.
  template <class A>
  static Eigen::ArrayXXd soft_clamp(const A& r) {
    return clamp_ * (1.0 - 2.0 / ((2.0 / clamp_ * r).exp() + 1.0));
  }

  // One coupling layer on the columns of z (d x n) in place, adding its log|det| to log_det.
  // With a tape, records what the backward pass needs.
  void run_layer(std::size_t l, Eigen::MatrixXd& z, Eigen::RowVectorXd& log_det, bool invert,
                 Tape* tape) const {
    const auto net = conditioner(l, theta_.data());
    const Eigen::Index b = size_b();
    const Eigen::MatrixXd h1 =
        softsign((net.w1 * z.middleRows(start_a(l), size_a())).colwise() + net.b1);
    const Eigen::MatrixXd h2 = softsign((net.w2 * h1).colwise() + net.b2);
    const Eigen::MatrixXd out = (net.w3 * h2).colwise() + net.b3;
    Eigen::ArrayXXd s = soft_clamp(out.topRows(b).array());
    auto xb = z.middleRows(start_b(l), b).array();
    if (invert) {
      xb = (xb - out.bottomRows(b).array()) * (-s).exp();
      log_det -= s.colwise().sum().matrix();
    } else {
      if (tape != nullptr) tape->input[l] = z;
      xb = xb * s.exp() + out.bottomRows(b).array();
      log_det += s.colwise().sum().matrix();
    }
    if (tape != nullptr) {
      tape->h1[l] = h1;
      tape->h2[l] = h2;
      tape->s[l] = std::move(s);
    }
  }

  // -log q at each column of z (d x n), which the flow overwrites with eta.
  Eigen::RowVectorXd nll(Eigen::MatrixXd& z, Tape* tape) const {
    Eigen::RowVectorXd log_det = Eigen::RowVectorXd::Zero(z.cols());
    for (std::size_t l = 0; l < layers_; ++l) run_layer(l, z, log_det, false, tape);
    const double log_norm = 0.5 * static_cast<double>(dimension_) * std::log(2 * std::numbers::pi);
    return (0.5 * z.colwise().squaredNorm().array() + log_norm - log_det.array()).matrix();
  }

  double mean_nll(const Eigen::MatrixXd& xt, const Eigen::RowVectorXd& w) const {
    Eigen::MatrixXd z = xt;
    return nll(z, nullptr).dot(w) / w.sum();
  }

  // sum_i w_i (-log q) over the columns of xt (d x n), and its gradient into `grad`.
  double backprop(const Eigen::MatrixXd& xt, const Eigen::RowVectorXd& w,
                  Eigen::VectorXd& grad) const {
    Tape tape(layers_);
    grad.resize(theta_.size());  // every entry is written below
    Eigen::MatrixXd z = xt;
    const double loss = nll(z, &tape).dot(w);
    // d loss / d eta; d loss / d log_det is -w at every layer, since log_det is their sum.
    Eigen::MatrixXd g = z * w.asDiagonal();
    const Eigen::Index a = size_a(), b = size_b();
    for (std::size_t l = layers_; l-- > 0;) {
      const auto net = conditioner(l, theta_.data());
      auto d_net = conditioner(l, grad.data());
      const Eigen::ArrayXXd& s = tape.s[l];
      const Eigen::ArrayXXd scale = s.exp();
      auto g_b = g.middleRows(start_b(l), b);
      // Through y_B = x_B exp(s) + t: to t directly, to s (and on to r through the clamp's
      // slope 1 - (s / c)^2) via x_B exp(s) and the log_det term.
      Eigen::MatrixXd delta3(2 * b, z.cols());
      delta3.bottomRows(b) = g_b;
      delta3.topRows(b) =
          (((g_b.array() * tape.input[l].middleRows(start_b(l), b).array() * scale).rowwise() -
            w.array()) *
           (1.0 - (s / clamp_).square()))
              .matrix();
      g_b.array() *= scale;
      d_net.w3.noalias() = delta3 * tape.h2[l].transpose();
      d_net.b3 = delta3.rowwise().sum();
      const Eigen::MatrixXd delta2 =
          ((net.w3.transpose() * delta3).array() * softsign_slope(tape.h2[l])).matrix();
      d_net.w2.noalias() = delta2 * tape.h1[l].transpose();
      d_net.b2 = delta2.rowwise().sum();
      const Eigen::MatrixXd delta1 =
          ((net.w2.transpose() * delta2).array() * softsign_slope(tape.h1[l])).matrix();
      d_net.w1.noalias() = delta1 * tape.input[l].middleRows(start_a(l), a).transpose();
      d_net.b1 = delta1.rowwise().sum();
      if (l > 0) g.middleRows(start_a(l), a).noalias() += net.w1.transpose() * delta1;
    }
    return loss;
  }

  void map(const RowMatrix& in, RowMatrix& out, Eigen::VectorXd& log_det, bool invert) const {
    if (empty()) {
      out = in;
      log_det = Eigen::VectorXd::Zero(in.rows());
      return;
    }
    if (in.cols() != static_cast<Eigen::Index>(dimension_))
      throw ConfigError("CouplingFlow: points have " + std::to_string(in.cols()) +
                        " columns, the flow's dimension is " + std::to_string(dimension_));
    Eigen::MatrixXd z = in.transpose();
    Eigen::RowVectorXd ld = Eigen::RowVectorXd::Zero(z.cols());
    for (std::size_t i = 0; i < layers_; ++i)
      run_layer(invert ? layers_ - 1 - i : i, z, ld, invert, nullptr);
    out = z.transpose();
    log_det = ld.transpose();
  }

  void check_training(const RowMatrix& x, const Eigen::VectorXd& weights, const Training& t) const {
    const std::string where = "CouplingFlow::train: ";
    if (empty()) throw ConfigError(where + "an empty flow has no parameters to train");
    if (x.cols() != static_cast<Eigen::Index>(dimension_) || weights.size() != x.rows())
      throw ConfigError(where + "x is " + std::to_string(x.rows()) + " x " +
                        std::to_string(x.cols()) + " with " + std::to_string(weights.size()) +
                        " weights, the flow's dimension is " + std::to_string(dimension_));
    if (!weights.allFinite() || (weights.array() < 0).any() || !(weights.array() > 0).any())
      throw ConfigError(where + "weights must be finite and >= 0, and one must be > 0");
    if (t.batch_size == 0 || !(t.learning_rate > 0) || !std::isfinite(t.learning_rate) ||
        !(t.validation_fraction >= 0 && t.validation_fraction < 1))
      throw ConfigError(where +
                        "need batch_size >= 1, learning_rate > 0 and validation_fraction in "
                        "[0, 1), got " +
                        std::to_string(t.batch_size) + ", " + std::to_string(t.learning_rate) +
                        ", " + std::to_string(t.validation_fraction));
  }

  void check_count(std::size_t n) const {
    if (n != parameter_count())
      throw ConfigError("CouplingFlow: " + std::to_string(n) + " parameters given for " +
                        std::to_string(parameter_count()));
  }

  std::size_t dimension_ = 0;
  std::size_t layers_ = 0;
  std::size_t hidden_ = 0;
  std::size_t half_ = 0;   // |A| = floor(d / 2)
  Eigen::VectorXd theta_;  // every parameter, laid out as conditioner() reads it
};

}  // namespace parnest::detail::neural
