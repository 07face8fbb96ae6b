// Pool independence: the same seed and options give the same samples and log Z, bit for bit,
// whatever evaluates the likelihood.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include "identical.hpp"
#include "problems.hpp"
#include "reverse_pool.hpp"

using parnest::testing::require_identical;
using parnest::testing::ReversePool;

TEST_CASE("sequential results are bit-identical for ncores 1, 2, 3, pool = 2 and a user pool",
          "[determinism][sequential]") {
  const auto problem = parnest::reference::gaussian_shells();
  parnest::Sampler<parnest::Sequential> sampler(problem.model, {.n_live = 200, .n_replace = 7});
  const parnest::Result serial = sampler.run({.ncores = 1, .seed = 11});
  CHECK(serial.pool == "serial");
  for (int n : {2, 3}) {
    const parnest::Result threaded = sampler.run({.ncores = n, .seed = 11});
    CHECK(threaded.pool.rfind("threads(", 0) == 0);
    require_identical(serial, threaded);
  }
  require_identical(serial, sampler.run({.pool = 2, .seed = 11}));
  ReversePool mine;
  require_identical(serial, sampler.run({.pool = mine, .seed = 11}));
  CHECK(mine.batches > 10);
}

TEST_CASE("walk and slice moves are bit-identical across pools too", "[determinism][sequential]") {
  // Start points, the walk's adapted step and the bound all come from the master: check that
  // none of them depends on which worker ran which replacement.
  const auto problem = parnest::reference::rosenbrock();
  for (const auto sample :
       {parnest::Sample::random_walk, parnest::Sample::slice, parnest::Sample::random_slice}) {
    CAPTURE(static_cast<int>(sample));
    parnest::Sampler<parnest::Sequential> sampler(
        problem.model, {.n_live = 100, .n_replace = 5, .sample = sample});
    const parnest::Result serial = sampler.run({.ncores = 1, .seed = 4});
    require_identical(serial, sampler.run({.ncores = 2, .seed = 4}));
    ReversePool mine;
    require_identical(serial, sampler.run({.pool = mine, .seed = 4}));
  }
}

TEST_CASE("a run whose k leaves pool workers idle says so in its warnings", "[sequential]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> one_at_a_time(problem.model,
                                                      {.n_live = 100, .n_replace = 1});
  const auto warned = one_at_a_time.run({.ncores = 2});
  REQUIRE(warned.warnings.size() == 1);
  CHECK_THAT(warned.warnings[0], Catch::Matchers::Contains("n_replace = 1"));
  parnest::Sampler<parnest::Sequential> batched(problem.model, {.n_live = 100, .n_replace = 4});
  CHECK(batched.run({.ncores = 2}).warnings.empty());
}

TEST_CASE("different seeds give different runs", "[determinism]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Sequential> sampler(problem.model, {.n_live = 100});
  CHECK(sampler.run({.ncores = 1, .seed = 1}).log_z != sampler.run({.ncores = 1, .seed = 2}).log_z);
}
