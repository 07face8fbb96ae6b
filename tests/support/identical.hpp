#pragma once
// Pool independence is asserted bit for bit: the same seed must give the same samples, weights
// and evidence whatever ran the likelihood.
#include <catch2/catch.hpp>

#include <parnest/result.hpp>

namespace parnest::testing {

inline void require_identical(const Result& a, const Result& b) {
  REQUIRE(a.log_z == b.log_z);
  REQUIRE(a.log_z_err == b.log_z_err);
  REQUIRE(a.n_like == b.n_like);
  REQUIRE(a.samples.rows() == b.samples.rows());
  REQUIRE(a.samples == b.samples);
  REQUIRE(a.log_weights == b.log_weights);
  REQUIRE(a.log_likelihoods == b.log_likelihoods);
}

}  // namespace parnest::testing
