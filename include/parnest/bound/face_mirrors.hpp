#pragma once
/// @file bound/face_mirrors.hpp
/// Ellipsoids for small clusters of points whose likelihood peaks on a face of the unit cube.

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstddef>
#include <span>
#include <vector>

#include "parnest/bound/ellipsoid.hpp"
#include "parnest/bound/union.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

/// A face of the unit cube that a cluster's peak lies against: the coordinate, where the face
/// is (0 or 1), and how far the peak is from it in units of the cluster's extent. Ordered by
/// that distance first.
struct CubeFace {
  double distance;
  Eigen::Index axis;
  double at;
  auto operator<=>(const CubeFace&) const = default;
};

/// `region` (built from `points`, rows in the unit cube with log-likelihoods `log_l`) together
/// with mirrored ellipsoids for each of its small clusters whose likelihood peaks on a face.
///
/// Where the cube cuts a mode at its peak (the eggbox's corner and edge modes: a parameter at
/// its prior's limit), the mode's points lie on one side of the face only, and the ellipsoid
/// around a few of them is centred inside the cube, away from the face, where the likelihood
/// is highest and the fewest points have landed yet. On the eggbox, log Z came out 1.2
/// errors low on average, the corner modes 9-16 % light. Reflecting the cluster's points in
/// such a face gives a cloud whose ellipsoid (cross-validated and grown by `enlarge`, as
/// build() grows its own) is centred on the face and holds the peak. It joins the union,
/// which keeps every original ellipsoid; a cluster against several faces gets one per face
/// (the three nearest at most).
///
/// A cluster qualifies when it holds at most 10 (d + 1) points (with more, cross-validation
/// already covers the face: a single Gaussian peaking on a corner of the cube in 2 and 6
/// dimensions came out right without mirrors, and mirroring it doubled its calls in 6-D), and
/// a face when the mean of the cluster's best tenth of points lies within half the cluster's
/// extent from it. The rule was chosen on seeds 1-40 of the eggbox (docs/batch.md: mean
/// Z / Z_true 0.9922 without, 0.9978 with; mirroring jointly in all faces at once, or within a
/// quarter of the extent, gave 0.9970).
inline Bound with_face_mirrors(const Bound& region, const RowMatrix& points,
                               std::span<const double> log_l, double enlarge, RandomStream& rng) {
  if (region.is_cube()) return region;
  const Eigen::Index d = points.cols();
  const double linear = std::pow(enlarge, 1.0 / static_cast<double>(d));
  std::vector<Ellipsoid> all = region.ellipsoids();
  for (const Ellipsoid& e : region.ellipsoids()) {
    std::vector<Eigen::Index> own;
    for (Eigen::Index i = 0; i < points.rows(); ++i)
      if (e.distance2(points.row(i).transpose()) <= 1.0) own.push_back(i);
    const auto n = static_cast<Eigen::Index>(own.size());
    if (n < d + 1 || n > 10 * (d + 1)) continue;
    // Where the cluster's likelihood is highest: the mean of its best tenth of points.
    const std::size_t top = std::max<std::size_t>(1, own.size() / 10);
    std::partial_sort(own.begin(), own.begin() + static_cast<std::ptrdiff_t>(top), own.end(),
                      [&](Eigen::Index a, Eigen::Index b) {
                        return log_l[static_cast<std::size_t>(a)] >
                               log_l[static_cast<std::size_t>(b)];
                      });
    Eigen::RowVectorXd peak = Eigen::RowVectorXd::Zero(d);
    for (std::size_t t = 0; t < top; ++t) peak += points.row(own[t]);
    peak /= static_cast<double>(top);
    // The faces the peak lies against: the nearer one of each coordinate, within half the
    // cluster's extent along it; the three nearest (in those units) at most.
    std::vector<CubeFace> faces;
    for (Eigen::Index j = 0; j < d; ++j) {
      double low = 1.0, high = 0.0;
      for (Eigen::Index i : own) {
        low = std::min(low, points(i, j));
        high = std::max(high, points(i, j));
      }
      const double face = peak[j] < 0.5 ? 0.0 : 1.0;
      const double distance = std::abs(peak[j] - face) / (high - low);
      if (distance <= 0.5) faces.push_back({distance, j, face});
    }
    std::sort(faces.begin(), faces.end());
    faces.resize(std::min<std::size_t>(faces.size(), 3));
    for (const CubeFace& face : faces) {
      RowMatrix both(2 * n, d);
      for (Eigen::Index r = 0; r < n; ++r) {
        both.row(r) = points.row(own[static_cast<std::size_t>(r)]);
        both.row(n + r) = both.row(r);
        both(n + r, face.axis) = 2.0 * face.at - both(r, face.axis);
      }
      all.push_back(Bound::fitted(both, rng).scaled(linear));
    }
  }
  return Bound::around(std::move(all));
}

}  // namespace parnest::detail
