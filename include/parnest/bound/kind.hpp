#pragma once
/// @file bound/kind.hpp
/// The shape of the bound around the live points, an option of Sequential and Batch.

#include <cstddef>

#include "parnest/detail/enum_count.hpp"

namespace parnest {

/// The shape of the bound around the live points.
enum class BoundKind {
  none,    ///< the unit cube
  single,  ///< one ellipsoid
  multi    ///< a union of ellipsoids, split where clusters appear
};

namespace detail {
template <>
inline constexpr std::size_t enum_count<BoundKind> = 3;
}  // namespace detail

/// The value's name as in options and output files ("multi").
inline const char* name(BoundKind kind) {
  constexpr const char* names[detail::enum_count<BoundKind>] = {"none", "single", "multi"};
  return names[static_cast<std::size_t>(kind)];
}

}  // namespace parnest
