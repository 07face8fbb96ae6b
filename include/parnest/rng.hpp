#pragma once
/// @file rng.hpp
/// Counter-based random streams (Philox4x32-10, Salmon et al. 2011). A stream is a pure
/// function of (seed, purpose, iteration, slot), so a task draws the same numbers whichever
/// worker runs it: this is what makes results independent of the pool.

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace parnest {

/// What a stream is used for; streams with different purposes never overlap.
enum class StreamPurpose : std::uint32_t {
  replace = 1,
  resample = 2,
  shrinkage = 3,
  start = 4,
  bound = 5,
  draw = 6,       ///< Batch: points drawn from a bound
  volume = 7,     ///< Batch: draws that estimate a bound's volume
  bootstrap = 8,  ///< Batch, Smc: resampling for the error of log Z
  network = 9,    ///< Batch: initial weights and data splits of the emulator's networks
  temper = 10,    ///< Smc: prior draws, resampling and moves
  flow = 11,      ///< Smc: initial weights and data splits of the normalizing flow
  refine = 12,    ///< Smc: importance draws that refine log Z
  user = 100
};

namespace detail {
/// The Philox4x32-10 block function (Salmon et al. 2011): four 32-bit words from a counter and
/// a key, as Random123's philox4x32 computes them (tests/unit/test_rng.cpp checks its
/// published known answers, and the library itself where it is installed).
constexpr std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> x,
                                                     std::array<std::uint32_t, 2> k) noexcept {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * x[0];
    const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * x[2];
    x = {static_cast<std::uint32_t>(p1 >> 32) ^ x[1] ^ k[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ x[3] ^ k[1], static_cast<std::uint32_t>(p0)};
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
  return x;
}
}  // namespace detail

/// A random stream identified by (seed, purpose, iteration, slot). Draws are reproducible
/// and independent across identifiers.
class RandomStream {
 public:
  /// The stream keyed by (seed, purpose, iteration, slot): the same key always gives the
  /// same numbers, and different keys give independent streams.
  RandomStream(std::uint64_t seed, StreamPurpose purpose, std::uint64_t iteration,
               std::uint32_t slot) noexcept
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
        counter_{0, slot, static_cast<std::uint32_t>(iteration),
                 static_cast<std::uint32_t>(iteration >> 32) ^
                     (static_cast<std::uint32_t>(purpose) << 24)} {}

  /// 64 uniformly random bits.
  std::uint64_t next_u64() noexcept {
    if (used_ == 2) refill();
    const std::uint64_t r =
        (static_cast<std::uint64_t>(block_[2 * used_]) << 32) | block_[2 * used_ + 1];
    ++used_;
    return r;
  }

  /// Uniform on [0, 1), with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  /// Uniform on (0, 1): never exactly 0, so that log() of it is finite.
  double uniform_open() noexcept {
    return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
  }

  /// Standard normal (Box-Muller; both values of a pair are used).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_open()));
    const double phi = 2.0 * std::numbers::pi * uniform();
    spare_ = r * std::sin(phi);
    has_spare_ = true;
    return r * std::cos(phi);
  }

  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using U128 = unsigned __int128;  // __extension__: no -Wpedantic warning
    return static_cast<std::uint64_t>((static_cast<U128>(next_u64()) * n) >> 64);
  }

 private:
  void refill() noexcept {
    block_ = detail::philox4x32_10(counter_, key_);
    used_ = 0;
    ++counter_[0];  // 2^32 blocks (2^33 doubles) per stream: far beyond one task's needs
  }

  std::array<std::uint32_t, 2> key_;
  std::array<std::uint32_t, 4> counter_;
  std::array<std::uint32_t, 4> block_{};
  int used_ = 2;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace parnest
