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
  void put_flag(bool b) { out_.push_back(b ? 1.0 : 0.0); }
  /// An enum's value, read back with get_choice().
  void put_choice(std::size_t index) { out_.push_back(static_cast<double>(index)); }
  /// Seeds, ids, addresses: every bit kept.
  void put_bits(std::uint64_t v) { out_.push_back(std::bit_cast<double>(v)); }
  template <class Derived>
  void put(const Eigen::DenseBase<Derived>& m) {
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) out_.push_back(m(i, j));
  }
  /// A matrix with its shape, for get_sized().
  template <class Derived>
  void put_sized(const Eigen::DenseBase<Derived>& m) {
    put_count(static_cast<std::size_t>(m.rows()));
    put_count(static_cast<std::size_t>(m.cols()));
    put(m);
  }
  template <class T>
  void put_sized(const std::vector<T>& v) {
    put_count(v.size());
    for (const T& x : v) out_.push_back(static_cast<double>(x));
  }
  void put_text(const std::string& s) {
    put_count(s.size());
    for (char c : s) out_.push_back(static_cast<double>(static_cast<unsigned char>(c)));
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
      get_count_failed(n);
    return static_cast<std::size_t>(n);
  }
  std::uint64_t get_bits() { return std::bit_cast<std::uint64_t>(get()); }
  bool get_flag() {
    const double b = get();
    if (b != 0.0 && b != 1.0) corrupt("a flag", b);
    return b == 1.0;
  }
  /// One of `choices` values 0..choices-1.
  std::size_t get_choice(std::size_t choices) {
    const double i = get();
    if (!(i >= 0.0 && i < static_cast<double>(choices) && i == std::floor(i)))
      corrupt("a choice among " + std::to_string(choices), i);
    return static_cast<std::size_t>(i);
  }
  template <class Derived>
  void get(Eigen::DenseBase<Derived>& m) {
    need(static_cast<std::size_t>(m.size()));
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = in_[at_++];
  }
  template <class Matrix>
  void get_sized(Matrix& m) {
    const auto rows = static_cast<Eigen::Index>(get_count());
    const auto cols = static_cast<Eigen::Index>(get_count());
    if (rows > 0 &&
        static_cast<std::size_t>(cols) > (in_.size() - at_) / static_cast<std::size_t>(rows))
      get_count_failed(static_cast<double>(rows) * static_cast<double>(cols));
    m.resize(rows, cols);
    get(m);
  }
  template <class T>
  void get_sized(std::vector<T>& v) {
    v.resize(get_count());
    for (T& x : v) x = static_cast<T>(get());
  }
  std::string get_text() {
    std::string s(get_count(), '\0');
    for (char& c : s) c = static_cast<char>(static_cast<unsigned char>(get()));
    return s;
  }
  /// Values not read yet.
  std::size_t remaining() const noexcept { return in_.size() - at_; }

  /// @throws IoError unless every value was read.
  void expect_end() const {
    if (at_ != in_.size())
      throw IoError(std::string(what_) + " has " + std::to_string(in_.size() - at_) +
                    " values beyond the " + std::to_string(at_) + " expected");
  }

 private:
  [[noreturn]] void get_count_failed(double n) const {
    corrupt("a count (with " + std::to_string(in_.size() - at_) + " values left)", n);
  }
  [[noreturn]] void corrupt(const std::string& expected, double value) const {
    throw IoError(std::string(what_) + " is corrupt: " + std::to_string(value) + " at offset " +
                  std::to_string(at_ - 1) + " where " + expected + " belongs");
  }
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
