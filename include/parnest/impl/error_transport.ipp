#pragma once
// Errors carried between processes (detail/error_transport.hpp): compiled once into libparnest
// (src/error_transport.cpp), or included by the header that declares it in header-only mode
// (PARNEST_HEADER_ONLY).
#include "parnest/detail/error_transport.hpp"
#include "parnest/detail/inline.hpp"

#include <string_view>

#include "parnest/error.hpp"

namespace parnest::detail {

PARNEST_INLINE CarriedError carry(std::exception_ptr error) {
  using Kind = CarriedError::Kind;
  CarriedError out;
  auto set = [&](Kind kind, std::string_view message) {
    constexpr std::string_view prefix = "parnest: ";
    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
    out.kind = kind;
    out.message = std::string(message);
  };
  try {
    std::rethrow_exception(error);
  } catch (const LikelihoodError& e) {
    out.theta = e.theta();
    set(Kind::likelihood, e.what());
  } catch (const ConfigError& e) {
    set(Kind::config, e.what());
  } catch (const SamplerError& e) {
    set(Kind::sampler, e.what());
  } catch (const PoolError& e) {
    set(Kind::pool, e.what());
  } catch (const IoError& e) {
    set(Kind::io, e.what());
  } catch (const CheckpointError& e) {
    set(Kind::checkpoint, e.what());
  } catch (const Interrupted& e) {
    out.signal = e.signal();
    set(Kind::interrupted, e.what());
  } catch (const std::exception& e) {
    set(Kind::standard, e.what());
  } catch (...) {
    set(Kind::other, "an exception that is not a std::exception");
  }
  return out;
}

PARNEST_INLINE std::exception_ptr revive(const CarriedError& e, const std::string& where) {
  using Kind = CarriedError::Kind;
  switch (e.kind) {
    case Kind::likelihood:
      return std::make_exception_ptr(LikelihoodError(e.message, e.theta));
    case Kind::config:
      return std::make_exception_ptr(ConfigError(e.message));
    case Kind::sampler:
      return std::make_exception_ptr(SamplerError(e.message));
    case Kind::pool:
      return std::make_exception_ptr(PoolError(e.message));
    case Kind::io:
      return std::make_exception_ptr(IoError(e.message));
    case Kind::checkpoint:
      return std::make_exception_ptr(CheckpointError(e.message));
    case Kind::interrupted:
      return std::make_exception_ptr(Interrupted(e.message, e.signal));
    default:
      return std::make_exception_ptr(PoolError(where + ": " + e.message));
  }
}

}  // namespace parnest::detail
