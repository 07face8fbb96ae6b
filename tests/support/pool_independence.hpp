#pragma once
// The determinism check every backend must pass: the same seed gives the same result, bit for
// bit, on the serial pool, two threads, a user pool that runs rows in reverse order, and forked
// worker processes (which rebuild every task from its recipe).
#include <catch2/catch.hpp>

#include <parnest/sampler.hpp>

#include "identical.hpp"
#include "reverse_pool.hpp"

namespace parnest::testing {

/// The serial result, once every other pool has been required to reproduce it.
template <class Backend>
Result require_pool_independent(const Model& model, const typename Backend::Options& options,
                                std::uint64_t seed) {
  Sampler<Backend> sampler(model, options);
  const Result serial = sampler.run({.ncores = 1, .seed = seed, .progress = false});
  CHECK(serial.pool == "serial");
  require_identical(serial, sampler.run({.ncores = 2, .seed = seed, .progress = false}));
  ReversePool mine;
  require_identical(serial, sampler.run({.pool = mine, .seed = seed, .progress = false}));
  Model legacy = model;
  legacy.thread_safe = false;
  Sampler<Backend> on_processes(legacy, options);
  const Result forked = on_processes.run({.ncores = 2, .seed = seed, .progress = false});
  CHECK(forked.pool.rfind("processes(", 0) == 0);
  require_identical(serial, forked);
  return serial;
}

}  // namespace parnest::testing
