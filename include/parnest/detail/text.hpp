#pragma once
// Numbers as text, the one number formatter of parnest (std::to_chars; g++ 12 has no
// std::format, and libfmt would be a dependency of every user's build for these few lines):
// the shortest text that reads back to the same value ("0.1", not "0.10000000000000001") for
// output files, options and messages; rounded forms for status lines.

#include <charconv>
#include <cstddef>
#include <string>

namespace parnest::detail {

inline std::string text(double x) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  return std::string(buffer, end);
}
/// `x` rounded to `digits` significant digits, for messages ("0.00573", "-14.8").
inline std::string text(double x, int digits) {
  char buffer[32];
  const auto end =
      std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::general, digits).ptr;
  return std::string(buffer, end);
}
/// `x` with `decimals` digits after the point, for status lines ("12.5").
inline std::string fixed(double x, int decimals) {
  char buffer[64];
  const auto end =
      std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed, decimals).ptr;
  return std::string(buffer, end);
}
inline std::string text(std::size_t n) {
  return std::to_string(n);
}

}  // namespace parnest::detail
