#pragma once
// How many values an enum has, for reading one back safely (FlatReader::choice). Internal enums
// end with `last = <their last value>`; a public enum, whose values users see, specialises
// enum_count next to its definition instead.

#include <cstddef>

namespace parnest::detail {

template <class E>
inline constexpr std::size_t enum_count = static_cast<std::size_t>(E::last) + 1;

}  // namespace parnest::detail
