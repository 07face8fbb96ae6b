#pragma once
/// @file neural/mlp.hpp
/// A small fully connected network (softsign hidden layers, linear output) with its own training
/// loop: mean squared error, Adam, mini-batches, and early stopping on a held-out fraction.
/// Written with Eigen so that parnest needs no machine-learning library.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/flat.hpp"
#include "parnest/neural/training.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail::neural {

/// d inputs -> hidden layers -> 1 output.
class Mlp {
 public:
  Mlp() = default;
  /// Layer widths from the input to the output (the last must be 1), every weight zero: the
  /// shape read_parameters() fills.
  explicit Mlp(const std::vector<std::size_t>& widths) {
    for (std::size_t l = 1; l < widths.size(); ++l) {
      weights_.push_back(Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(widths[l]),
                                               static_cast<Eigen::Index>(widths[l - 1])));
      biases_.push_back(Eigen::VectorXd::Zero(static_cast<Eigen::Index>(widths[l])));
    }
  }
  /// The same shape with weights drawn by Glorot's rule from `rng` (biases zero).
  Mlp(const std::vector<std::size_t>& widths, RandomStream& rng) : Mlp(widths) {
    for (Eigen::MatrixXd& w : weights_) glorot(w, rng);
  }

  /// The output for each column of `x` (inputs x points).
  Eigen::RowVectorXd predict(const Eigen::MatrixXd& x) const {
    Eigen::MatrixXd a = x;
    for (std::size_t l = 0; l < weights_.size(); ++l) {
      Eigen::MatrixXd z = (weights_[l] * a).colwise() + biases_[l];
      a = l + 1 < weights_.size() ? softsign(z) : z;
    }
    return a.row(0);
  }

  /// The output for one point.
  double predict(std::span<const double> x) const {
    Eigen::VectorXd a =
        Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size()));
    for (std::size_t l = 0; l < weights_.size(); ++l) {
      Eigen::VectorXd z = weights_[l] * a + biases_[l];
      a = l + 1 < weights_.size() ? softsign(z) : z;
    }
    return a[0];
  }

  /// Fits the outputs to `y` for the columns of `x`. A random `validation_fraction` of the
  /// points is held out; training stops when their loss has not improved for `patience` epochs,
  /// and the weights of the best epoch are kept. Returns that validation loss.
  double train(const Eigen::MatrixXd& x, const Eigen::RowVectorXd& y, const Training& t,
               RandomStream& rng) {
    const auto n = static_cast<std::size_t>(x.cols());
    std::vector<Eigen::Index> order(n);
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    shuffle(order, rng);
    const auto n_valid = std::min(n - 1, static_cast<std::size_t>(t.validation_fraction * n));
    const Eigen::MatrixXd x_valid =
        x(Eigen::all, std::vector(order.begin(), order.begin() + n_valid));
    const Eigen::RowVectorXd y_valid = y(std::vector(order.begin(), order.begin() + n_valid));
    std::vector<Eigen::Index> train(order.begin() + n_valid, order.end());

    Moments moments(*this);
    double best = std::numeric_limits<double>::infinity();
    Mlp best_net = *this;
    std::size_t since_best = 0;
    for (std::size_t epoch = 0; epoch < t.max_epochs && since_best < t.patience; ++epoch) {
      shuffle(train, rng);
      for (std::size_t start = 0; start < train.size(); start += t.batch_size) {
        const std::vector<Eigen::Index> rows(
            train.begin() + start, train.begin() + std::min(train.size(), start + t.batch_size));
        gradient_step(x(Eigen::all, rows), y(rows), moments, t.learning_rate);
      }
      const double loss = n_valid > 0 ? (predict(x_valid) - y_valid).squaredNorm() / n_valid : 0.0;
      if (loss < best) {
        best = loss;
        best_net = *this;
        since_best = 0;
      } else {
        ++since_best;
      }
    }
    *this = best_net;
    return best;
  }

  /// All weights and biases in one array (layer by layer), for transport and checkpoints.
  std::size_t parameter_count() const {
    std::size_t n = 0;
    for (std::size_t l = 0; l < weights_.size(); ++l)
      n += static_cast<std::size_t>(weights_[l].size() + biases_[l].size());
    return n;
  }
  void write_parameters(std::span<double> out) const {
    std::size_t at = 0;
    for (std::size_t l = 0; l < weights_.size(); ++l) {
      for (Eigen::Index i = 0; i < weights_[l].size(); ++i) out[at++] = weights_[l].data()[i];
      for (Eigen::Index i = 0; i < biases_[l].size(); ++i) out[at++] = biases_[l][i];
    }
  }
  void read_parameters(std::span<const double> in) {
    std::size_t at = 0;
    for (std::size_t l = 0; l < weights_.size(); ++l) {
      for (Eigen::Index i = 0; i < weights_[l].size(); ++i) weights_[l].data()[i] = in[at++];
      for (Eigen::Index i = 0; i < biases_[l].size(); ++i) biases_[l][i] = in[at++];
    }
  }

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& m) {
    ar.sequence(m.weights_, [&](auto& w) { ar.sized(w); });
    ar.sequence(m.biases_, [&](auto& b) { ar.sized(b); });
    if constexpr (Archive::loading)
      if (m.biases_.size() != m.weights_.size())
        throw IoError("a network's data is corrupt: " + std::to_string(m.weights_.size()) +
                      " weight matrices but " + std::to_string(m.biases_.size()) + " bias vectors");
  }

 private:
  // First and second moment estimates of every parameter, per layer.
  struct Moments {
    explicit Moments(const Mlp& net) {
      for (std::size_t l = 0; l < net.weights_.size(); ++l) {
        mw.push_back(Eigen::MatrixXd::Zero(net.weights_[l].rows(), net.weights_[l].cols()));
        vw.push_back(mw.back());
        mb.push_back(Eigen::VectorXd::Zero(net.biases_[l].size()));
        vb.push_back(mb.back());
      }
    }
    std::vector<Eigen::MatrixXd> mw, vw;
    std::vector<Eigen::VectorXd> mb, vb;
    Adam adam;
  };

  template <class X, class Y>
  void gradient_step(const X& x, const Y& y, Moments& moments, double rate) {
    const std::size_t layers = weights_.size();
    std::vector<Eigen::MatrixXd> a(layers + 1);
    a[0] = x;
    for (std::size_t l = 0; l < layers; ++l) {
      Eigen::MatrixXd z = (weights_[l] * a[l]).colwise() + biases_[l];
      a[l + 1] = l + 1 < layers ? softsign(z) : z;
    }
    // d(mean squared error) / d(output), then back through the layers.
    Eigen::MatrixXd delta = 2.0 * (a[layers].row(0) - y) / static_cast<double>(x.cols());
    moments.adam.next_step(rate);
    for (std::size_t l = layers; l-- > 0;) {
      const Eigen::MatrixXd grad_w = delta * a[l].transpose();
      const Eigen::VectorXd grad_b = delta.rowwise().sum();
      if (l > 0)
        delta = (weights_[l].transpose() * delta).cwiseProduct(softsign_slope(a[l]).matrix());
      moments.adam.update(weights_[l], moments.mw[l], moments.vw[l], grad_w);
      moments.adam.update(biases_[l], moments.mb[l], moments.vb[l], grad_b);
    }
  }

  std::vector<Eigen::MatrixXd> weights_;  // out x in, per layer
  std::vector<Eigen::VectorXd> biases_;
};

}  // namespace parnest::detail::neural
