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
#include "parnest/rng.hpp"

namespace parnest::neural {

/// How a network is trained.
struct Training {
  std::size_t max_epochs = 100;
  std::size_t batch_size = 256;
  /// Stop after this many epochs without a lower validation loss, keeping the best weights.
  std::size_t patience = 10;
  double learning_rate = 1e-2;
  double validation_fraction = 0.2;
};

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
    for (Eigen::MatrixXd& w : weights_) {
      const double scale = std::sqrt(6.0 / static_cast<double>(w.rows() + w.cols()));
      for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = scale * (2 * rng.uniform() - 1);
    }
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

    Adam adam(*this);
    double best = std::numeric_limits<double>::infinity();
    Mlp best_net = *this;
    std::size_t since_best = 0;
    for (std::size_t epoch = 0; epoch < t.max_epochs && since_best < t.patience; ++epoch) {
      shuffle(train, rng);
      for (std::size_t start = 0; start < train.size(); start += t.batch_size) {
        const std::vector<Eigen::Index> rows(
            train.begin() + start, train.begin() + std::min(train.size(), start + t.batch_size));
        gradient_step(x(Eigen::all, rows), y(rows), adam, t.learning_rate);
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

  void save(detail::FlatWriter& out) const {
    out.put_count(weights_.size());
    for (std::size_t l = 0; l < weights_.size(); ++l) {
      out.put_sized(weights_[l]);
      out.put_sized(biases_[l]);
    }
  }
  static Mlp load(detail::FlatReader& in) {
    Mlp m;
    m.weights_.resize(in.get_count());
    m.biases_.resize(m.weights_.size());
    for (std::size_t l = 0; l < m.weights_.size(); ++l) {
      in.get_sized(m.weights_[l]);
      in.get_sized(m.biases_[l]);
    }
    return m;
  }

 private:
  // First and second moment estimates of every parameter (Kingma & Ba 2015).
  struct Adam {
    explicit Adam(const Mlp& net) {
      for (std::size_t l = 0; l < net.weights_.size(); ++l) {
        mw.push_back(Eigen::MatrixXd::Zero(net.weights_[l].rows(), net.weights_[l].cols()));
        vw.push_back(mw.back());
        mb.push_back(Eigen::VectorXd::Zero(net.biases_[l].size()));
        vb.push_back(mb.back());
      }
    }
    std::vector<Eigen::MatrixXd> mw, vw;
    std::vector<Eigen::VectorXd> mb, vb;
    double step = 0;
  };

  template <class X, class Y>
  void gradient_step(const X& x, const Y& y, Adam& adam, double rate) {
    const std::size_t layers = weights_.size();
    std::vector<Eigen::MatrixXd> a(layers + 1);
    a[0] = x;
    for (std::size_t l = 0; l < layers; ++l) {
      Eigen::MatrixXd z = (weights_[l] * a[l]).colwise() + biases_[l];
      a[l + 1] = l + 1 < layers ? softsign(z) : z;
    }
    // d(mean squared error) / d(output), then back through the layers.
    Eigen::MatrixXd delta = 2.0 * (a[layers].row(0) - y) / static_cast<double>(x.cols());
    constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    adam.step += 1;
    const double c1 = 1 - std::pow(beta1, adam.step), c2 = 1 - std::pow(beta2, adam.step);
    for (std::size_t l = layers; l-- > 0;) {
      const Eigen::MatrixXd grad_w = delta * a[l].transpose();
      const Eigen::VectorXd grad_b = delta.rowwise().sum();
      if (l > 0)
        delta = (weights_[l].transpose() * delta)
                    .cwiseProduct((1.0 - a[l].array().abs()).square().matrix());
      adam.mw[l] = beta1 * adam.mw[l] + (1 - beta1) * grad_w;
      adam.vw[l] = beta2 * adam.vw[l] + (1 - beta2) * grad_w.cwiseAbs2();
      adam.mb[l] = beta1 * adam.mb[l] + (1 - beta1) * grad_b;
      adam.vb[l] = beta2 * adam.vb[l] + (1 - beta2) * grad_b.cwiseAbs2();
      weights_[l].array() -=
          rate * (adam.mw[l].array() / c1) / ((adam.vw[l].array() / c2).sqrt() + epsilon);
      biases_[l].array() -=
          rate * (adam.mb[l].array() / c1) / ((adam.vb[l].array() / c2).sqrt() + epsilon);
    }
  }

  // x / (1 + |x|): smooth like tanh at a fraction of its cost (no exponential); its
  // derivative is (1 - |a|)^2 in terms of the output a.
  template <class M>
  static M softsign(const M& z) {
    return (z.array() / (1.0 + z.array().abs())).matrix();
  }

  static void shuffle(std::vector<Eigen::Index>& v, RandomStream& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  }

  std::vector<Eigen::MatrixXd> weights_;  // out x in, per layer
  std::vector<Eigen::VectorXd> biases_;
};

}  // namespace parnest::neural
