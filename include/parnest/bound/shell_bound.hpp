#pragma once
/// @file bound/shell_bound.hpp
/// A bound of the Batch backend: the unit cube, or a union of ellipsoids cut to the cube and,
/// optionally, each ellipsoid to where its own neural emulator predicts the likelihood above
/// the bound's threshold.
/// It samples itself uniformly by rejection and estimates its own volume from the same
/// proposals, with the error of that estimate.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parnest/bound/union.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/geometry.hpp"
#include "parnest/error.hpp"
#include "parnest/neural/emulator.hpp"
#include "parnest/rng.hpp"

namespace parnest::detail {

/// The emulator of one ellipsoid of a bound: trained in that ellipsoid's own coordinates
/// (Ellipsoid::whitened), and the score a point of the ellipsoid must reach to stay.
struct EllipsoidCut {
  std::optional<neural::Emulator> emulator;  // none: the whole ellipsoid stays
  double cut = -std::numeric_limits<double>::infinity();
};

class ShellBound {
 public:
  /// The unit cube: volume 1, exactly.
  ShellBound() = default;
  /// The ellipsoids of `region` within the cube. With `cuts` (one per ellipsoid, or none), a
  /// point stays if some ellipsoid holding it keeps it: has no emulator, or scores at least
  /// its cut there.
  ShellBound(Bound region, std::vector<EllipsoidCut> cuts)
      : region_(std::move(region)), cuts_(std::move(cuts)) {}

  bool is_cube() const noexcept { return region_.is_cube(); }
  bool has_emulator() const noexcept {
    return std::any_of(cuts_.begin(), cuts_.end(),
                       [](const EllipsoidCut& c) { return c.emulator.has_value(); });
  }
  std::size_t ellipsoid_count() const noexcept { return region_.ellipsoids().size(); }

  /// True if the unit-cube point `u` lies in the bound. With cuts, the ellipsoids are tested
  /// once, by kept_by_cuts: this runs for every point against every bound.
  bool contains(std::span<const double> u) const {
    return cuts_.empty() ? region_.contains(u) : kept_by_cuts(u);
  }

  /// A point uniform in the bound into `u`, counting every proposal towards the volume
  /// estimate. @throws SamplerError after `max_draws` proposals without one inside.
  void sample(RandomStream& rng, std::span<double> u, std::size_t max_draws) {
    for (std::size_t draw = 0; draw < max_draws; ++draw)
      if (propose(rng, u)) return;
    throw SamplerError("no point found inside a bound of " + std::to_string(ellipsoid_count()) +
                       " ellipsoids" + (has_emulator() ? " and their likelihood emulators" : "") +
                       " in " + std::to_string(max_draws) +
                       " proposals (max_draws): its part inside the unit cube is too small");
  }

  /// Makes `draws` proposals only to sharpen the volume estimate.
  void add_volume_draws(RandomStream& rng, std::size_t draws, std::size_t dimension) {
    std::vector<double> u(dimension);
    for (std::size_t i = 0; i < draws; ++i) propose(rng, u);
  }

  /// log of the estimated volume inside the cube (0 for the cube).
  double log_volume() const {
    if (is_cube()) return 0.0;
    if (accepted_ == 0) return region_.log_volume() - std::log(std::max(proposed_, 1.0));
    return region_.log_volume() + std::log(accepted_ / proposed_);
  }
  /// Variance of log_volume(): binomial, (1 - p) / (n p) for p of n proposals kept.
  double log_volume_variance() const {
    if (is_cube()) return 0.0;
    const double p = std::max(accepted_, 1.0) / std::max(proposed_, 1.0);
    return (1.0 - p) / (std::max(proposed_, 1.0) * p);
  }
  double proposals() const noexcept { return proposed_; }

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& b) {
    ar.object(b.region_);
    ar.sequence(b.cuts_, [&](auto& c) {
      ar.optional(c.emulator);
      ar.value(c.cut);
    });
    ar.value(b.proposed_);
    ar.value(b.accepted_);
  }

 private:
  // One proposal from the ellipsoids, kept with probability 1/q (q: ellipsoids holding it) if
  // it lies in the cube and the emulators keep it. The fraction kept times the ellipsoids'
  // summed volume estimates the bound's volume without bias.
  bool propose(RandomStream& rng, std::span<double> u) {
    const std::size_t q = region_.propose(rng, u);
    proposed_ += 1;
    const bool kept = (q == 1 || rng.uniform() * static_cast<double>(q) < 1.0) &&
                      detail::in_unit_cube(u) && kept_by_cuts(u);
    accepted_ += kept ? 1 : 0;
    return kept;
  }

  // Whether some ellipsoid holding `u` keeps it (always, without cuts).
  bool kept_by_cuts(std::span<const double> u) const {
    if (cuts_.empty()) return true;
    const auto& ellipsoids = region_.ellipsoids();
    thread_local std::vector<double> z;
    z.resize(u.size());
    for (std::size_t j = 0; j < ellipsoids.size(); ++j) {
      if (!ellipsoids[j].contains(u)) continue;
      if (!cuts_[j].emulator) return true;
      ellipsoids[j].whitened(u, z);
      if (cuts_[j].emulator->score(z) >= cuts_[j].cut) return true;
    }
    return false;
  }

  Bound region_;
  std::vector<EllipsoidCut> cuts_;      // empty, or one per ellipsoid of region_
  double proposed_ = 0, accepted_ = 0;  // proposals made and kept, for the volume
};

}  // namespace parnest::detail
