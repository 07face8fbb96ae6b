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
// Both archives have the same members: value, tally, flag, bits, choice, sized, text, object,
// optional and sequence; Archive::loading tells them apart where a field needs rebuilding.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "parnest/detail/enum_count.hpp"
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

  // The archive members (see the top of this file).
  static constexpr bool loading = false;
  void value(double x) { put(x); }
  /// A counter (calls, iterations): any size, unlike the lengths that sized() writes.
  void tally(std::size_t n) { put(static_cast<double>(n)); }
  void flag(bool b) { put_flag(b); }
  void bits(std::uint64_t v) { put_bits(v); }
  template <class E>
  void choice(E e) {
    put_choice(static_cast<std::size_t>(e));
  }
  template <class M>
  void sized(const M& m) {
    put_sized(m);
  }
  void text(const std::string& s) { put_text(s); }
  template <class T>
  void object(const T& t) {
    T::serialize(*this, t);
  }
  /// An object that may be absent: a null pointer or an empty optional.
  template <class T>
  void optional(const T* t) {
    put_flag(t != nullptr);
    if (t) object(*t);
  }
  template <class T>
  void optional(const std::optional<T>& t) {
    optional(t ? &*t : nullptr);
  }
  /// A vector of anything: its length, then `each` on every element.
  template <class T, class Each>
  void sequence(const std::vector<T>& v, Each&& each) {
    put_count(v.size());
    for (const T& x : v) each(x);
  }
  template <class T>
  void sequence(const std::vector<T>& v) {
    sequence(v, [this](const T& x) { element(x); });
  }

 private:
  template <class T>
  void element(const T& x) {
    if constexpr (std::is_same_v<T, std::string>)
      put_text(x);
    else
      object(x);
  }
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
    // Either extent may exceed the values left when the other is 0 (an empty vector's 1 column).
    const auto rows = static_cast<Eigen::Index>(get_extent());
    const auto cols = static_cast<Eigen::Index>(get_extent());
    if constexpr (Matrix::ColsAtCompileTime == 1)
      if (cols != 1) corrupt("a vector's one column", static_cast<double>(cols));
    if constexpr (Matrix::RowsAtCompileTime == 1)
      if (rows != 1) corrupt("a row vector's one row", static_cast<double>(rows));
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

  // The archive members (see the top of this file).
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
  void flag(bool& b) { b = get_flag(); }
  void bits(std::uint64_t& v) { v = get_bits(); }
  template <class E>
  void choice(E& e) {
    e = static_cast<E>(get_choice(enum_count<E>));
  }
  template <class M>
  void sized(M& m) {
    get_sized(m);
  }
  void text(std::string& s) { s = get_text(); }
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
    if (get_flag()) object(t.emplace());
  }
  /// The elements are made afresh (default-constructed), then read.
  template <class T, class Each>
  void sequence(std::vector<T>& v, Each&& each) {
    const std::size_t n = get_count();
    v.clear();
    v.resize(n);
    for (T& x : v) each(x);
  }
  template <class T>
  void sequence(std::vector<T>& v) {
    sequence(v, [this](T& x) { element(x); });
  }

  /// @throws IoError unless every value was read.
  void expect_end() const {
    if (at_ != in_.size())
      throw IoError(std::string(what_) + " has " + std::to_string(in_.size() - at_) +
                    " values beyond the " + std::to_string(at_) + " expected");
  }

 private:
  // A matrix's row or column count: a whole number that fits an Eigen::Index.
  std::size_t get_extent() {
    const double n = get();
    if (!(n >= 0.0 && n <= 9007199254740992.0 && n == std::floor(n)))
      corrupt("a matrix's row or column count", n);
    return static_cast<std::size_t>(n);
  }
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
  template <class T>
  void element(T& x) {
    if constexpr (std::is_same_v<T, std::string>)
      x = get_text();
    else
      object(x);
  }
  std::span<const double> in_;
  const char* what_;
  std::size_t at_ = 0;
};

}  // namespace parnest::detail
