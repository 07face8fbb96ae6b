#pragma once
/// @file version.hpp
/// parnest's version.

namespace parnest {
/// The library version, as "major.minor.patch".
inline constexpr const char* version = "0.1.2";
}  // namespace parnest
