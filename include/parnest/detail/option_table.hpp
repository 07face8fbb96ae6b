#pragma once
// A backend's options as one table: each option's name, the rule its value must keep and the
// value as the run resolves it (defaults filled in for the dimension). validate(), describe()
// (the options listed in Result and the output files) and the checkpoint's identity all read
// the table, so each option is named and checked in one place; its type, default and
// documentation are its declaration in the backend's Options struct.

#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

template <class O>
struct OptionRow {
  const char* name;
  std::function<std::string(const O&)> given;  // the value as set, for error messages
  // The rule the value breaks in `dimension` parameters, or "" if it keeps every rule.
  std::function<std::string(const O&, std::size_t dimension)> broken;
  std::function<std::string(const O&, std::size_t dimension)> resolved;  // as the run uses it
};

template <class T>
std::string value_text(const T& value) {
  if constexpr (std::is_same_v<T, std::string>)
    return value;
  else if constexpr (std::is_same_v<T, bool>)
    return value ? "true" : "false";
  else if constexpr (std::is_enum_v<T>)
    return name(value);  // parnest::name(BoundKind) and the like
  else
    return text(value);
}

/// Rules on one value: each takes (value, options, dimension) and returns "" when the value
/// keeps it, else what it must be, in one wording for every backend.
namespace rule {

inline auto none() {
  return [](const auto&, const auto&, std::size_t) { return std::string(); };
}
inline auto at_least(std::size_t lowest) {
  return [lowest](std::size_t v, const auto&, std::size_t) {
    return v >= lowest ? std::string() : "must be at least " + text(lowest);
  };
}
inline auto at_most(std::size_t highest) {
  return [highest](std::size_t v, const auto&, std::size_t) {
    return v <= highest ? std::string() : "must be at most " + text(highest);
  };
}
/// A finite number above `lowest` (or at least `lowest`, with `strict` false).
inline auto finite_above(double lowest, bool strict = true) {
  return [=](double v, const auto&, std::size_t) {
    const bool ok = std::isfinite(v) && (strict ? v > lowest : v >= lowest);
    return ok ? std::string()
              : std::string("must be a finite number ") + (strict ? "> " : ">= ") + text(lowest);
  };
}
inline auto strictly_between(double low, double high) {
  return [=](double v, const auto&, std::size_t) {
    return v > low && v < high ? std::string()
                               : "must lie strictly between " + text(low) + " and " + text(high);
  };
}
/// 0 for "pick a default", or any value `rule` accepts.
template <class Rule>
auto zero_or(Rule rule) {
  return [rule](auto v, const auto& o, std::size_t d) {
    if (v == 0) return std::string();
    const std::string broken = rule(v, o, d);
    return broken.empty() ? broken : broken + " (0 picks a default)";
  };
}
/// Enough live points to build an ellipsoid around: 2 d + 2.
inline auto enough_live_points() {
  return [](std::size_t v, const auto&, std::size_t d) {
    return v >= 2 * d + 2
               ? std::string()
               : "need at least 2 d + 2 = " + text(2 * d + 2) + " for " + text(d) + " parameters";
  };
}

}  // namespace rule

/// A row for the member `member`: its value must keep `rule`; describe() gives it as set.
template <class O, class T, class Rule>
OptionRow<O> option(const char* name, T O::*member, Rule rule) {
  auto given = [member](const O& o) { return value_text(o.*member); };
  return {name, given, [member, rule](const O& o, std::size_t d) { return rule(o.*member, o, d); },
          [given](const O& o, std::size_t) { return given(o); }};
}
/// As above, with describe() giving `resolve(options, dimension)`: the default it picks.
template <class O, class T, class Rule, class Resolve>
OptionRow<O> option(const char* name, T O::*member, Rule rule, Resolve resolve) {
  OptionRow<O> row = option(name, member, std::move(rule));
  row.resolved = [resolve](const O& o, std::size_t d) { return value_text(resolve(o, d)); };
  return row;
}

/// @throws ConfigError for the first option in `table` whose value breaks its rule.
template <class O>
void validate_options(const char* backend, const std::vector<OptionRow<O>>& table, const O& o,
                      std::size_t dimension) {
  for (const auto& row : table)
    if (const std::string broken = row.broken(o, dimension); !broken.empty())
      invalid_option(backend, row.name, row.given(o), broken);
}

/// Every option as (name, value as the run uses it), in the table's order.
template <class O>
std::vector<std::pair<std::string, std::string>> describe_options(
    const std::vector<OptionRow<O>>& table, const O& o, std::size_t dimension) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : table) out.emplace_back(row.name, row.resolved(o, dimension));
  return out;
}

}  // namespace parnest::detail
