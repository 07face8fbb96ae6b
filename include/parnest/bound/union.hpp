#pragma once
/// @file bound/union.hpp
/// The bound proposals come from: the unit cube, one ellipsoid, or a union of ellipsoids found
/// by recursive splitting (as in MultiNest and dynesty), each enlarged by cross-validation.

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include <Eigen/Eigenvalues>

#include "parnest/bound/ellipsoid.hpp"
#include "parnest/bound/kind.hpp"
#include "parnest/detail/geometry.hpp"
#include "parnest/detail/log_sum.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

/// The default volume factor on top of each ellipsoid's cross-validated size: max(1.25, 1.07^d).
/// A bound built from a few hundred points misses a small part of the contour it should hold,
/// more so as d grows (docs/sequential.md).
inline double default_enlarge(std::size_t d) {
  return std::max(1.25, std::pow(1.07, static_cast<double>(d)));
}

/// A union of ellipsoids; empty means the whole unit cube.
class Bound {
 public:
  /// The unit cube.
  Bound() = default;

  /// The union of the given ellipsoids (at least one).
  static Bound around(std::vector<Ellipsoid> ellipsoids) {
    Bound b;
    b.ellipsoids_ = std::move(ellipsoids);
    b.finish();
    return b;
  }

  /// Builds a bound of `kind` around `points` (rows in the unit cube). Each ellipsoid is
  /// enlarged until points left out of its construction (k-fold cross-validation over its own
  /// points) fall inside, then by the volume factor `enlarge`. `rng` drives the fold
  /// assignment, so the bound is a pure function of the points and the stream.
  static Bound build(const RowMatrix& points, BoundKind kind, double enlarge, RandomStream& rng) {
    Bound b;
    if (kind == BoundKind::none) return b;
    const Ellipsoid whole = fitted(points, rng);
    if (kind == BoundKind::multi)
      split(points, whole, rng, b.ellipsoids_);
    else
      b.ellipsoids_.push_back(whole);
    const double linear = std::pow(enlarge, 1.0 / static_cast<double>(points.cols()));
    for (auto& e : b.ellipsoids_) e = e.scaled(linear);
    b.finish();
    return b;
  }

  /// The bounding ellipsoid of `points` (rows, at least d + 1), grown until points left out
  /// of its construction fall inside (cross_validated_factor): the ellipsoids of build().
  static Ellipsoid fitted(const RowMatrix& points, RandomStream& rng) {
    return Ellipsoid::bounding(points).scaled(cross_validated_factor(points, rng));
  }

  /// Every member, bit for bit.
  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& b) {
    ar.sequence(b.ellipsoids_);
    ar.sized(b.cumulative_);
    ar.value(b.log_volume_);
    if constexpr (Archive::loading)
      if (b.cumulative_.size() != b.ellipsoids_.size())
        throw IoError("a bound's data is corrupt: " + std::to_string(b.ellipsoids_.size()) +
                      " ellipsoids but " + std::to_string(b.cumulative_.size()) + " weights");
  }

  bool is_cube() const noexcept { return ellipsoids_.empty(); }
  const std::vector<Ellipsoid>& ellipsoids() const noexcept { return ellipsoids_; }
  /// log of the summed ellipsoid volumes (at least the union's); 0 for the unit cube.
  double log_volume() const noexcept { return log_volume_; }

  /// Estimated log volume of the part of the bound inside the unit cube (0 for the cube):
  /// what uniform sampling from the bound pays likelihood calls for. In many dimensions an
  /// ellipsoid larger than the cube can still cut far less of it than the whole cube.
  double log_volume_in_cube(RandomStream& rng, int draws = 256) const {
    if (is_cube()) return 0.0;
    std::vector<double> x(ellipsoids_.front().dimension());
    int inside = 0;
    for (int i = 0; i < draws; ++i) {
      sample(rng, x);
      inside += detail::in_unit_cube(x) ? 1 : 0;
    }
    // With no draw inside, the overlap is under 1/draws of the bound: bound it by that.
    return log_volume_ + std::log(std::max(inside, 1)) - std::log(static_cast<double>(draws));
  }

  /// A point uniform in the union (which may stick out of the unit cube: callers reject such
  /// points). Picks an ellipsoid by volume, samples it, and keeps the point with probability
  /// 1/q, q the number of ellipsoids holding it, so overlaps are not oversampled.
  void sample(RandomStream& rng, std::span<double> x) const {
    while (true) {
      const std::size_t q = propose(rng, x);
      if (q <= 1 || rng.uniform() * static_cast<double>(q) < 1.0) return;
    }
  }

  /// One draw from the ellipsoids, each picked with probability proportional to its volume
  /// and sampled uniformly, into `x`. Returns q, the number of ellipsoids holding x (at least
  /// 1; 1 for the cube): keeping the draw with probability 1/q makes it uniform in the union,
  /// and the fraction kept estimates the union's volume over the summed volumes.
  std::size_t propose(RandomStream& rng, std::span<double> x) const {
    if (is_cube()) {
      for (double& xi : x) xi = rng.uniform();
      return 1;
    }
    const double r = rng.uniform();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
    const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()),
                                                ellipsoids_.size() - 1);
    ellipsoids_[i].sample(rng, x);
    if (ellipsoids_.size() == 1) return 1;
    std::size_t q = 0;
    for (const auto& e : ellipsoids_) q += e.contains(x) ? 1 : 0;
    return std::max<std::size_t>(q, 1);
  }

  /// True if `x` lies in the union (always for the cube).
  bool contains(std::span<const double> x) const {
    return is_cube() || std::any_of(ellipsoids_.begin(), ellipsoids_.end(),
                                    [&](const Ellipsoid& e) { return e.contains(x); });
  }

 private:
  // Splits the points in two by 2-means and keeps the split when the two children (or their
  // own further splits) have less than half the parent's volume. Volumes are compared at their
  // cross-validated sizes, what sampling them will cost: a bounding ellipsoid of few points
  // looks small in many dimensions, but its cross-validated size shows how uncertain it is.
  static void split(const RowMatrix& points, const Ellipsoid& parent, RandomStream& rng,
                    std::vector<Ellipsoid>& out) {
    const Eigen::Index n = points.rows(), d = points.cols();
    if (n < 4 * (d + 1)) return out.push_back(parent);
    std::vector<int> label = two_means(points, parent);
    RowMatrix part[2];
    for (int side : {0, 1}) {
      const auto count = std::count(label.begin(), label.end(), side);
      if (count < 2 * (d + 1)) return out.push_back(parent);
      part[side].resize(count, d);
      Eigen::Index row = 0;
      for (Eigen::Index i = 0; i < n; ++i)
        if (label[static_cast<std::size_t>(i)] == side) part[side].row(row++) = points.row(i);
    }
    const Ellipsoid child[2] = {fitted(part[0], rng), fitted(part[1], rng)};
    const double half_parent = parent.log_volume() + std::log(0.5);
    std::vector<Ellipsoid> sub;
    split(part[0], child[0], rng, sub);
    split(part[1], child[1], rng, sub);
    // One cut may gain too little where several do (a ring); keep the deepest split that
    // halves the volume, else the parent.
    double log_sub = -std::numeric_limits<double>::infinity();
    for (const auto& e : sub) log_sub = detail::log_add_exp(log_sub, e.log_volume());
    if (log_sub < half_parent) {
      out.insert(out.end(), sub.begin(), sub.end());
      return;
    }
    out.push_back(parent);
  }

  // Lloyd's 2-means, started at the two ends of the parent's longest axis.
  static std::vector<int> two_means(const RowMatrix& points, const Ellipsoid& parent) {
    const Eigen::MatrixXd shape = parent.axes() * parent.axes().transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(shape);
    const Eigen::VectorXd major = eig.eigenvectors().col(eig.eigenvalues().size() - 1) *
                                  std::sqrt(std::max(eig.eigenvalues().maxCoeff(), 0.0));
    Eigen::VectorXd centre[2] = {parent.center() - 0.5 * major, parent.center() + 0.5 * major};
    const Eigen::Index n = points.rows();
    std::vector<int> label(static_cast<std::size_t>(n), 0);
    for (int iteration = 0; iteration < 50; ++iteration) {
      bool changed = false;
      for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::VectorXd x = points.row(i).transpose();
        const int side = (x - centre[1]).squaredNorm() < (x - centre[0]).squaredNorm() ? 1 : 0;
        changed |= side != label[static_cast<std::size_t>(i)];
        label[static_cast<std::size_t>(i)] = side;
      }
      if (!changed && iteration > 0) break;
      for (int side : {0, 1}) {
        Eigen::VectorXd sum = Eigen::VectorXd::Zero(points.cols());
        double count = 0;
        for (Eigen::Index i = 0; i < n; ++i)
          if (label[static_cast<std::size_t>(i)] == side) {
            sum += points.row(i).transpose();
            count += 1;
          }
        if (count > 0) centre[side] = sum / count;
      }
    }
    return label;
  }

  // Linear factor by which an ellipsoid built from 4/5 of the points must grow to hold the
  // other fifth, maximised over 5 folds: how far the shape estimated from n points misses
  // fresh points from the same contour. At least 1.
  static double cross_validated_factor(const RowMatrix& points, RandomStream& rng) {
    constexpr int folds = 5;
    const Eigen::Index n = points.rows(), d = points.cols();
    if (n / folds * (folds - 1) < d + 2) return 1.0;
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    double worst = 1.0;
    for (int fold = 0; fold < folds; ++fold) {
      const Eigen::Index begin = n * fold / folds, end = n * (fold + 1) / folds;
      RowMatrix train(n - (end - begin), d);
      Eigen::Index row = 0;
      for (Eigen::Index i = 0; i < n; ++i)
        if (i < begin || i >= end)
          train.row(row++) = points.row(order[static_cast<std::size_t>(i)]);
      const Ellipsoid e = Ellipsoid::bounding(train);
      for (Eigen::Index i = begin; i < end; ++i)
        worst = std::max(worst,
                         e.distance2(points.row(order[static_cast<std::size_t>(i)]).transpose()));
    }
    return std::sqrt(worst);
  }

  void finish() {
    log_volume_ = -std::numeric_limits<double>::infinity();
    for (const auto& e : ellipsoids_)
      log_volume_ = detail::log_add_exp(log_volume_, e.log_volume());
    cumulative_.clear();
    double total = 0.0;
    for (const auto& e : ellipsoids_) {
      total += std::exp(e.log_volume() - log_volume_);
      cumulative_.push_back(total);
    }
    for (double& c : cumulative_) c /= total;
  }

  std::vector<Ellipsoid> ellipsoids_;
  std::vector<double> cumulative_;  // normalised cumulative volumes, to pick an ellipsoid
  double log_volume_ = 0.0;
};

}  // namespace parnest::detail
