#pragma once
// Flat arrays of doubles: the form in which state that must cross a process boundary (a task's
// context for worker processes) travels. Values are copied bit for bit, so what a worker
// rebuilds is exactly what the master had.

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "parnest/error.hpp"

namespace parnest::detail {

/// Appends values to a flat array of doubles.
class FlatWriter {
 public:
  explicit FlatWriter(std::vector<double>& out) : out_(out) {}
  void put(double x) { out_.push_back(x); }
  /// Counts and enum values: exact as doubles up to 2^53.
  void put_count(std::size_t n) { out_.push_back(static_cast<double>(n)); }
  /// Seeds, ids, addresses: every bit kept.
  void put_bits(std::uint64_t v) { out_.push_back(std::bit_cast<double>(v)); }
  template <class Derived>
  void put(const Eigen::DenseBase<Derived>& m) {
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) out_.push_back(m(i, j));
  }

 private:
  std::vector<double>& out_;
};

/// Reads back what a FlatWriter wrote, in the same order. Reading past the end throws.
class FlatReader {
 public:
  /// `what` names the data in error messages ("task context").
  FlatReader(std::span<const double> in, const char* what) : in_(in), what_(what) {}
  double get() {
    need(1);
    return in_[at_++];
  }
  /// A count of items that follow, each at least one value long: a count that is not a whole
  /// number or exceeds the values left means corrupt data (and must not size an allocation).
  std::size_t get_count() {
    const double n = get();
    if (!(n >= 0.0 && n <= static_cast<double>(in_.size() - at_) && n == std::floor(n)))
      throw IoError(std::string(what_) + " is corrupt: a count of " + std::to_string(n) +
                    " at offset " + std::to_string(at_ - 1) + " with " +
                    std::to_string(in_.size() - at_) + " values left");
    return static_cast<std::size_t>(n);
  }
  std::uint64_t get_bits() { return std::bit_cast<std::uint64_t>(get()); }
  template <class Derived>
  void get(Eigen::DenseBase<Derived>& m) {
    need(static_cast<std::size_t>(m.size()));
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = in_[at_++];
  }
  /// @throws IoError unless every value was read.
  void expect_end() const {
    if (at_ != in_.size())
      throw IoError(std::string(what_) + " has " + std::to_string(in_.size() - at_) +
                    " values beyond the " + std::to_string(at_) + " expected");
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - at_ < n)
      throw IoError(std::string(what_) + " is truncated: " + std::to_string(n) +
                    " more values needed at offset " + std::to_string(at_) + " of " +
                    std::to_string(in_.size()));
  }
  std::span<const double> in_;
  const char* what_;
  std::size_t at_ = 0;
};

}  // namespace parnest::detail
