#pragma once
// Flat arrays of doubles: the form in which state that must cross a process boundary (a task's
// context for worker processes, a checkpoint) travels. Values are copied bit for bit, so what a
// worker rebuilds is exactly what the master had.
//
// FlatWriter and FlatReader are also the two archives of a state object's one `serialize`
// function, which lists every field once, for writing and for reading (as cereal and
// Boost.Serialization do):
//
//   template <class Archive, class Self>  // Self: const T when writing, T when reading
//   static void serialize(Archive& ar, Self& self) { ar.value(self.x_); ar.sized(self.v_); }
//
// Both archives have the same members, and only these: value, tally, flag, bits, choice, sized,
// text, object, optional and sequence; Archive::loading tells them apart where a field needs
// rebuilding or checking.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/enum_count.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

template <class T>
inline constexpr bool is_pair = false;
template <class A, class B>
inline constexpr bool is_pair<std::pair<A, B>> = true;

/// Appends values to a flat array of doubles: the writing archive.
class FlatWriter {
 public:
  explicit FlatWriter(std::vector<double>& out) : out_(out) {}

  static constexpr bool loading = false;
  void value(double x) { out_.push_back(x); }
  /// A counter (calls, iterations): any size, unlike the lengths that sized() writes.
  void tally(std::size_t n) { out_.push_back(static_cast<double>(n)); }
  void flag(bool b) { out_.push_back(b ? 1.0 : 0.0); }
  /// Seeds, ids, addresses: every bit kept.
  void bits(std::uint64_t v) { out_.push_back(std::bit_cast<double>(v)); }
  /// An enum's value, read back against enum_count.
  template <class E>
  void choice(E e) {
    out_.push_back(static_cast<double>(static_cast<std::size_t>(e)));
  }
  /// A matrix with its shape (column by column), or a vector of numbers with its length.
  template <class Derived>
  void sized(const Eigen::DenseBase<Derived>& m) {
    length(static_cast<std::size_t>(m.rows()));
    length(static_cast<std::size_t>(m.cols()));
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) out_.push_back(m(i, j));
  }
  template <class T>
  void sized(const std::vector<T>& v) {
    length(v.size());
    for (const T& x : v) out_.push_back(static_cast<double>(x));
  }
  void text(const std::string& s) {
    length(s.size());
    for (char c : s) out_.push_back(static_cast<double>(static_cast<unsigned char>(c)));
  }
  template <class T>
  void object(const T& t) {
    T::serialize(*this, t);
  }
  /// An object that may be absent: a null pointer or an empty optional.
  template <class T>
  void optional(const T* t) {
    flag(t != nullptr);
    if (t) object(*t);
  }
  template <class T>
  void optional(const std::optional<T>& t) {
    optional(t ? &*t : nullptr);
  }
  /// A vector of anything: its length, then `each` on every element.
  template <class T, class Each>
  void sequence(const std::vector<T>& v, Each&& each) {
    length(v.size());
    for (const T& x : v) each(x);
  }
  /// A vector of texts, objects, or pairs of them (such as (name, value) options).
  template <class T>
  void sequence(const std::vector<T>& v) {
    sequence(v, [this](const T& x) { element(x); });
  }

 private:
  // Lengths and counts: exact as doubles up to 2^53.
  void length(std::size_t n) { out_.push_back(static_cast<double>(n)); }
  template <class T>
  void element(const T& x) {
    if constexpr (std::is_same_v<T, std::string>) {
      text(x);
    } else if constexpr (is_pair<T>) {
      element(x.first);
      element(x.second);
    } else {
      object(x);
    }
  }
  std::vector<double>& out_;
};

/// Reads back what a FlatWriter wrote, in the same order: the reading archive. Reading past
/// the end, or a value that cannot be what was written there, throws an IoError.
class FlatReader {
 public:
  /// `what` names the data in error messages ("task context").
  FlatReader(std::span<const double> in, const char* what) : in_(in), what_(what) {}

  static constexpr bool loading = true;
  void value(double& x) { x = get(); }
  void value(int& x) {
    const double v = get();
    if (!(std::abs(v) <= std::numeric_limits<int>::max() && v == std::floor(v)))
      corrupt("an integer", v);
    x = static_cast<int>(v);
  }
  void tally(std::size_t& n) {
    const double v = get();
    if (!(v >= 0.0 && v == std::floor(v))) corrupt("a counter", v);
    n = v < static_cast<double>(std::numeric_limits<std::size_t>::max())
            ? static_cast<std::size_t>(v)
            : std::numeric_limits<std::size_t>::max();
  }
  void flag(bool& b) {
    const double v = get();
    if (v != 0.0 && v != 1.0) corrupt("a flag", v);
    b = v == 1.0;
  }
  void bits(std::uint64_t& v) { v = std::bit_cast<std::uint64_t>(get()); }
  /// One of the enum's enum_count<E> values.
  template <class E>
  void choice(E& e) {
    constexpr std::size_t choices = enum_count<E>;
    const double i = get();
    if (!(i >= 0.0 && i < static_cast<double>(choices) && i == std::floor(i)))
      corrupt("a choice among " + std::to_string(choices), i);
    e = static_cast<E>(static_cast<std::size_t>(i));
  }
  template <class Matrix>
  void sized(Matrix& m) {
    // Either extent may exceed the values left when the other is 0 (an empty vector's 1 column).
    const auto rows = static_cast<Eigen::Index>(extent());
    const auto cols = static_cast<Eigen::Index>(extent());
    if constexpr (Matrix::ColsAtCompileTime == 1)
      if (cols != 1) corrupt("a vector's one column", static_cast<double>(cols));
    if constexpr (Matrix::RowsAtCompileTime == 1)
      if (rows != 1) corrupt("a row vector's one row", static_cast<double>(rows));
    if (rows > 0 &&
        static_cast<std::size_t>(cols) > (in_.size() - at_) / static_cast<std::size_t>(rows))
      length_failed(static_cast<double>(rows) * static_cast<double>(cols));
    m.resize(rows, cols);
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = in_[at_++];
  }
  template <class T>
  void sized(std::vector<T>& v) {
    v.resize(length());
    for (T& x : v) x = static_cast<T>(get());
  }
  void text(std::string& s) {
    s.assign(length(), '\0');
    for (char& c : s) c = static_cast<char>(static_cast<unsigned char>(get()));
  }
  template <class T>
  void object(T& t) {
    T::serialize(*this, t);
  }
  /// An object read into a new value.
  template <class T>
  T read() {
    T t{};
    object(t);
    return t;
  }
  template <class T>
  void optional(std::optional<T>& t) {
    t.reset();
    bool present = false;
    flag(present);
    if (present) object(t.emplace());
  }
  /// The elements are made afresh (default-constructed), then read.
  template <class T, class Each>
  void sequence(std::vector<T>& v, Each&& each) {
    const std::size_t n = length();
    v.clear();
    v.resize(n);
    for (T& x : v) each(x);
  }
  template <class T>
  void sequence(std::vector<T>& v) {
    sequence(v, [this](T& x) { element(x); });
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
  double get() {
    if (at_ == in_.size())
      throw IoError(std::string(what_) + " is truncated: 1 more values needed at offset " +
                    std::to_string(at_) + " of " + std::to_string(in_.size()));
    return in_[at_++];
  }
  // The length of what follows, each item at least one value long: a length that is not a
  // whole number or exceeds the values left means corrupt data (and must not size an
  // allocation).
  std::size_t length() {
    const double n = get();
    if (!(n >= 0.0 && n <= static_cast<double>(in_.size() - at_) && n == std::floor(n)))
      length_failed(n);
    return static_cast<std::size_t>(n);
  }
  // A matrix's row or column count: a whole number that fits an Eigen::Index.
  std::size_t extent() {
    const double n = get();
    if (!(n >= 0.0 && n <= 9007199254740992.0 && n == std::floor(n)))
      corrupt("a matrix's row or column count", n);
    return static_cast<std::size_t>(n);
  }
  [[noreturn]] void length_failed(double n) const {
    corrupt("a count (with " + std::to_string(in_.size() - at_) + " values left)", n);
  }
  [[noreturn]] void corrupt(const std::string& expected, double value) const {
    throw IoError(std::string(what_) + " is corrupt: " + std::to_string(value) + " at offset " +
                  std::to_string(at_ - 1) + " where " + expected + " belongs");
  }
  template <class T>
  void element(T& x) {
    if constexpr (std::is_same_v<T, std::string>) {
      text(x);
    } else if constexpr (is_pair<T>) {
      element(x.first);
      element(x.second);
    } else {
      object(x);
    }
  }
  std::span<const double> in_;
  const char* what_;
  std::size_t at_ = 0;
};

}  // namespace parnest::detail
