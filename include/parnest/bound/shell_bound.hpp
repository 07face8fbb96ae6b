#pragma once
/// @file bound/shell_bound.hpp
/// A bound of the Batch backend: the unit cube, or a union of ellipsoids cut to the cube and,
/// optionally, to where a neural emulator predicts the likelihood above the bound's threshold.
/// It samples itself uniformly by rejection and estimates its own volume from the same
/// proposals, with the error of that estimate.

#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "parnest/bound/union.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/geometry.hpp"
#include "parnest/error.hpp"
#include "parnest/neural/emulator.hpp"
#include "parnest/rng.hpp"

namespace parnest {

class ShellBound {
 public:
  /// The unit cube: volume 1, exactly.
  ShellBound() = default;
  /// The ellipsoids of `region` within the cube, and where `emulator` scores at least `cut`.
  ShellBound(Bound region, std::optional<neural::Emulator> emulator, double cut)
      : region_(std::move(region)), emulator_(std::move(emulator)), cut_(cut) {}

  bool is_cube() const noexcept { return region_.is_cube(); }
  bool has_emulator() const noexcept { return emulator_.has_value(); }
  std::size_t ellipsoid_count() const noexcept { return region_.ellipsoids().size(); }

  /// True if the unit-cube point `u` lies in the bound.
  bool contains(std::span<const double> u) const {
    return region_.contains(u) && (!emulator_ || emulator_->score(u) >= cut_);
  }

  /// A point uniform in the bound into `u`, counting every proposal towards the volume
  /// estimate. @throws SamplerError after `max_draws` proposals without one inside.
  void sample(RandomStream& rng, std::span<double> u, std::size_t max_draws) {
    for (std::size_t draw = 0; draw < max_draws; ++draw)
      if (propose(rng, u)) return;
    throw SamplerError("no point found inside a bound of " + std::to_string(ellipsoid_count()) +
                       " ellipsoids" + (emulator_ ? " and the likelihood emulator" : "") + " in " +
                       std::to_string(max_draws) +
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

  void save(detail::FlatWriter& out) const {
    region_.save(out);
    out.put_flag(emulator_.has_value());
    if (emulator_) emulator_->save(out);
    out.put(cut_);
    out.put(proposed_);
    out.put(accepted_);
  }
  static ShellBound load(detail::FlatReader& in) {
    ShellBound b;
    b.region_ = Bound::load(in);
    if (in.get_flag()) b.emulator_ = neural::Emulator::load(in);
    b.cut_ = in.get();
    b.proposed_ = in.get();
    b.accepted_ = in.get();
    return b;
  }

 private:
  // One proposal from the ellipsoids, kept with probability 1/q (q: ellipsoids holding it) if
  // it lies in the cube and passes the emulator. The fraction kept times the ellipsoids'
  // summed volume estimates the bound's volume without bias.
  bool propose(RandomStream& rng, std::span<double> u) {
    const std::size_t q = region_.propose(rng, u);
    proposed_ += 1;
    const bool kept = (q == 1 || rng.uniform() * static_cast<double>(q) < 1.0) &&
                      detail::in_unit_cube(u) && (!emulator_ || emulator_->score(u) >= cut_);
    accepted_ += kept ? 1 : 0;
    return kept;
  }

  Bound region_;
  std::optional<neural::Emulator> emulator_;
  double cut_ = -std::numeric_limits<double>::infinity();
  double proposed_ = 0, accepted_ = 0;  // proposals made and kept, for the volume
};

}  // namespace parnest
