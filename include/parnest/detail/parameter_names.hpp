#pragma once
// Parameter names as every output file can hold them: one line per name in .paramnames, one
// header field each in the CSV files. Checked when a Model becomes a Problem and again by
// write(), which may be given a Result a user assembled.

#include <cstdio>
#include <string>
#include <vector>

#include "parnest/error.hpp"

namespace parnest::detail {

/// The name as a C string literal ("a\tb"), so that a control character shows in a message.
inline std::string quoted_name(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// @throws ConfigError naming the entry if a name is empty, holds a control character (a
/// newline or tab would split a line of .paramnames or a CSV header), or repeats an earlier
/// one (columns and GetDist parameters would be ambiguous). Commas, quotes and spaces are
/// fine: the CSV files quote such names and .paramnames replaces the spaces.
inline void check_parameter_names(const std::vector<std::string>& names, const char* where) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string entry = std::string(where) + "[" + std::to_string(i) + "]";
    if (names[i].empty()) throw ConfigError(entry + " is empty: give every parameter a name");
    for (char c : names[i])
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throw ConfigError(entry + " = " + quoted_name(names[i]) +
                          " holds a control character (newline, tab, ...), which the output "
                          "files cannot hold in one line: use printable characters");
    for (std::size_t j = 0; j < i; ++j)
      if (names[j] == names[i])
        throw ConfigError(std::string(where) + "[" + std::to_string(j) + "] and " + entry +
                          " are both " + quoted_name(names[i]) +
                          ": give each parameter its own name");
  }
}

}  // namespace parnest::detail
