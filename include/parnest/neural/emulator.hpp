#pragma once
/// @file neural/emulator.hpp
/// An ensemble of small networks that emulates the rank of the likelihood (Batch trains one
/// per ellipsoid of a bound, on the ellipsoid's own coordinates),
/// trained so that a score of 1/2 marks a likelihood threshold (nautilus, Lange 2023). Bounds
/// use it to turn down proposals predicted to lie below their threshold. The networks are
/// trained in parallel, one per row of a batch through the pool (detail/emulator_training.hpp).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/emulator_training.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/neural/mlp.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail::neural {

/// The mean score of an ensemble of networks, each trained on its own split of the points.
class Emulator {
 public:
  /// Trains `networks` networks on points `u` (rows) with log-likelihoods `log_l`:
  /// the target score is the point's rank among those above `threshold`, mapped to (1/2, 1],
  /// or among those below it, mapped to [0, 1/2). One network per row of a batch on `pool`;
  /// `anchor`/`anchor_id`: the object worker processes know (the problem). Streams from
  /// (seed, network, stream).
  static Emulator train(Pool& pool, const RowMatrix& u, std::span<const double> log_l,
                        double threshold, std::size_t networks, std::uint64_t seed,
                        std::uint64_t stream, const void* anchor, std::uint64_t anchor_id) {
    Emulator e;
    const Eigen::Index n = u.rows();
    e.shift_ = u.colwise().mean().transpose();
    const RowMatrix centred = u.rowwise() - e.shift_.transpose();
    e.scale_ = (centred.array().square().colwise().sum() / static_cast<double>(n))
                   .sqrt()
                   .max(1e-12)
                   .inverse()
                   .transpose();
    const Eigen::MatrixXd x =
        (centred.array().rowwise() * e.scale_.transpose().array()).matrix().transpose();
    const Eigen::RowVectorXd y = rank_scores(log_l, threshold);
    const emulator_impl::TrainTask task(anchor, anchor_id, x, y, seed, stream);
    RowMatrix in(static_cast<Eigen::Index>(networks), 1),
        out(in.rows(), static_cast<Eigen::Index>(task.output_width()));
    for (Eigen::Index j = 0; j < in.rows(); ++j) in(j, 0) = static_cast<double>(j);
    pool.map(task, in, out);
    for (Eigen::Index j = 0; j < in.rows(); ++j) {
      Mlp net(emulator_impl::layer_widths(static_cast<std::size_t>(u.cols())));
      net.read_parameters(
          std::span<const double>(out.row(j).data(), static_cast<std::size_t>(out.cols())));
      e.networks_.push_back(std::move(net));
    }
    return e;
  }

  /// The ensemble's mean score at the point `u`: above 1/2 where the likelihood is
  /// predicted to exceed the threshold the emulator was trained for.
  double score(std::span<const double> u) const {
    thread_local std::vector<double> x;
    x.resize(u.size());
    for (std::size_t i = 0; i < u.size(); ++i)
      x[i] = (u[i] - shift_[static_cast<Eigen::Index>(i)]) * scale_[static_cast<Eigen::Index>(i)];
    double sum = 0.0;
    for (const Mlp& net : networks_) sum += net.predict(std::span<const double>(x));
    return sum / static_cast<double>(networks_.size());
  }

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& e) {
    ar.sized(e.shift_);
    ar.sized(e.scale_);
    ar.sequence(e.networks_);
  }

 private:
  // Ranks mapped to scores: the threshold falls at 1/2, the best point at 1, the worst near 0.
  static Eigen::RowVectorXd rank_scores(std::span<const double> log_l, double threshold) {
    const std::size_t n = log_l.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return log_l[a] < log_l[b]; });
    const auto below = static_cast<std::size_t>(
        std::count_if(log_l.begin(), log_l.end(), [&](double l) { return !(l > threshold); }));
    const std::size_t above = n - below;
    Eigen::RowVectorXd y(static_cast<Eigen::Index>(n));
    for (std::size_t r = 0; r < n; ++r)
      y[static_cast<Eigen::Index>(order[r])] =
          r < below ? 0.5 * static_cast<double>(r + 1) / static_cast<double>(below + 1)
                    : 0.5 + 0.5 * static_cast<double>(r - below + 1) / static_cast<double>(above);
    return y;
  }

  Eigen::VectorXd shift_, scale_;  // inputs: (u - shift) * scale
  std::vector<Mlp> networks_;
};

}  // namespace parnest::detail::neural
