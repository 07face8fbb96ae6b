#pragma once
// A Result as flat doubles, so that MPI rank 0 can hand every other rank the same Result.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "parnest/detail/flat.hpp"
#include "parnest/result.hpp"

namespace parnest::detail {

inline void put_texts(FlatWriter& out, const std::vector<std::string>& texts) {
  out.put_count(texts.size());
  for (const auto& t : texts) out.put_text(t);
}

inline std::vector<std::string> get_texts(FlatReader& in) {
  std::vector<std::string> texts(in.get_count());
  for (auto& t : texts) t = in.get_text();
  return texts;
}

inline std::vector<double> flatten(const Result& r) {
  std::vector<double> flat;
  FlatWriter out(flat);
  for (double x :
       {r.log_z, r.log_z_err, r.log_z_err_information, r.information, r.n_eff, r.wall_seconds})
    out.put(x);
  out.put_count(r.n_like);
  out.put_count(r.n_iterations);
  out.put_bits(r.seed);
  put_texts(out, r.names);
  out.put_sized(r.samples);
  out.put_sized(r.log_weights);
  out.put_sized(r.log_likelihoods);
  out.put_sized(r.log_likelihood_births);
  put_texts(out, r.warnings);
  out.put_text(r.sampler);
  out.put_text(r.pool);
  out.put_count(r.options.size());
  for (const auto& [name, value] : r.options) {
    out.put_text(name);
    out.put_text(value);
  }
  return flat;
}

/// @throws IoError if `flat` is not what flatten() wrote.
inline Result unflatten(const std::vector<double>& flat) {
  FlatReader in(flat, "the result sent by rank 0");
  Result r;
  for (double* x : {&r.log_z, &r.log_z_err, &r.log_z_err_information, &r.information, &r.n_eff,
                    &r.wall_seconds})
    *x = in.get();
  r.n_like = static_cast<std::size_t>(in.get());
  r.n_iterations = static_cast<std::size_t>(in.get());
  r.seed = in.get_bits();
  r.names = get_texts(in);
  in.get_sized(r.samples);
  in.get_sized(r.log_weights);
  in.get_sized(r.log_likelihoods);
  in.get_sized(r.log_likelihood_births);
  r.warnings = get_texts(in);
  r.sampler = in.get_text();
  r.pool = in.get_text();
  r.options.resize(in.get_count());
  for (auto& [name, value] : r.options) {
    name = in.get_text();
    value = in.get_text();
  }
  in.expect_end();
  return r;
}

}  // namespace parnest::detail
