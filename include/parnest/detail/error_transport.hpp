#pragma once
// An exception carried to another process (a forked worker's failure to its parent, an MPI
// rank's to rank 0 and rank 0's to every rank) and rethrown there as the same parnest kind,
// with the same message and values.

#include <exception>
#include <string>
#include <vector>

#include "parnest/detail/flat.hpp"

namespace parnest::detail {

struct CarriedError {
  enum class Kind {
    likelihood,
    config,
    sampler,
    pool,
    io,
    checkpoint,
    interrupted,
    standard,
    other,
    last = other
  };
  Kind kind = Kind::other;
  std::string message;        ///< what(), without the "parnest: " every parnest error starts with
  std::vector<double> theta;  ///< LikelihoodError::theta()
  int signal = 0;             ///< Interrupted::signal()

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& e) {
    ar.choice(e.kind);
    ar.text(e.message);
    ar.sized(e.theta);
    ar.value(e.signal);
  }
};

/// The exception in `error`, described.
CarriedError carry(std::exception_ptr error);

/// The exception described, rebuilt. Errors that are not parnest's (std::exception or
/// others) become a PoolError whose message starts with `where` ("a task threw in worker 2").
std::exception_ptr revive(const CarriedError& error, const std::string& where);

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/error_transport.ipp"
#endif
