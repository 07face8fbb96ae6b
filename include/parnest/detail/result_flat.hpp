#pragma once
// A Result as flat doubles, so that MPI rank 0 can hand every other rank the same Result.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parnest/detail/flat.hpp"
#include "parnest/result.hpp"

namespace parnest::detail {

// Every field of a Result (R: const Result when writing).
template <class Archive, class R>
void serialize_result(Archive& ar, R& r) {
  for (auto* x : {&r.log_z, &r.log_z_err, &r.log_z_err_information, &r.information, &r.n_eff,
                  &r.wall_seconds})
    ar.value(*x);
  ar.tally(r.n_like);
  ar.tally(r.n_iterations);
  ar.bits(r.seed);
  ar.sequence(r.names);
  ar.sized(r.samples);
  ar.sized(r.log_weights);
  ar.sized(r.log_likelihoods);
  ar.sized(r.log_likelihood_births);
  ar.sequence(r.warnings);
  ar.text(r.sampler);
  ar.text(r.pool);
  ar.sequence(r.options);
}

inline std::vector<double> flatten(const Result& r) {
  std::vector<double> flat;
  FlatWriter out(flat);
  serialize_result(out, r);
  return flat;
}

/// @throws IoError if `flat` is not what flatten() wrote.
inline Result unflatten(const std::vector<double>& flat) {
  FlatReader in(flat, "the result sent by rank 0");
  Result r;
  serialize_result(in, r);
  in.expect_end();
  return r;
}

}  // namespace parnest::detail
