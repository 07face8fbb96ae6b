#pragma once
/// @file version.hpp
/// parnest's version.

namespace parnest {
inline constexpr const char* version = "0.1.0";
}  // namespace parnest
