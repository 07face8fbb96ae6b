// Vectorised likelihoods: the same result as the one-point likelihood on every pool, blocks of
// the sizes promised, and errors that name the point.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "identical.hpp"
#include "pool_independence.hpp"
#include "problems.hpp"
#include "vectorised.hpp"

using Catch::Matchers::Contains;
using parnest::testing::require_identical;

namespace {

// The rows seen by a vectorised likelihood: how many calls, the largest block.
struct BlockLog {
  std::atomic<std::size_t> calls{0}, largest{0};
  void saw(std::size_t rows) {
    ++calls;
    std::size_t before = largest.load();
    while (rows > before && !largest.compare_exchange_weak(before, rows)) {
    }
  }
};

parnest::Model vectorised(const parnest::Model& model, BlockLog& log, std::size_t max_rows = 0) {
  return parnest::testing::row_by_row(
      model, [&log](std::size_t rows) { log.saw(rows); }, max_rows);
}

template <class Backend>
void require_same_as_scalar(const parnest::Model& model, const typename Backend::Options& options,
                            std::uint64_t seed) {
  parnest::Sampler<Backend> scalar(model, options);
  const parnest::Result expected = scalar.run({.ncores = 1, .seed = seed, .progress = false});
  BlockLog log;
  const parnest::Result serial =
      parnest::testing::require_pool_independent<Backend>(vectorised(model, log), options, seed);
  require_identical(expected, serial);
  CHECK(log.calls > 0);
}

}  // namespace

TEST_CASE("a vectorised likelihood gives the one-point likelihood's result on every pool",
          "[vectorised][determinism]") {
  const auto problem = parnest::reference::gaussian_shells();
  SECTION("batch") {
    require_same_as_scalar<parnest::Batch>(problem.model,
                                           {.n_live = 200, .n_batch = 50, .n_eff = 2000}, 5);
  }
  SECTION("smc") {
    require_same_as_scalar<parnest::Smc>(problem.model,
                                         {.n_eff_per_step = 128, .n_active = 64, .n_eff = 512}, 5);
  }
  SECTION("sequential, which calls it one point at a time") {
    require_same_as_scalar<parnest::Sequential>(problem.model, {.n_live = 100}, 5);
  }
}

TEST_CASE(
    "a vectorised likelihood gets whole batches serially, a share per thread, and at most "
    "max_vectorised_rows",
    "[vectorised]") {
  const auto problem = parnest::reference::gaussian(3);
  const parnest::Batch::Options options{.n_live = 200, .n_batch = 64, .n_eff = 1000};
  BlockLog serial_log;
  parnest::Sampler<parnest::Batch> serial(vectorised(problem.model, serial_log), options);
  const auto expected = serial.run({.ncores = 1, .seed = 2, .progress = false});
  // Every batch of n_batch points in one call.
  CHECK(serial_log.largest == 64);
  CHECK(serial_log.calls == static_cast<std::size_t>(expected.n_like) / 64);

  BlockLog threads_log;
  parnest::Sampler<parnest::Batch> threads(vectorised(problem.model, threads_log), options);
  require_identical(expected, threads.run({.ncores = 2, .seed = 2, .progress = false}));
  // A batch shared by the threads (2, unless this machine lets the process use only one CPU).
  const std::size_t threads_used = parnest::ThreadPool(2).size();
  CHECK(threads_log.largest == (64 + threads_used - 1) / threads_used);

  BlockLog limited_log;
  parnest::Sampler<parnest::Batch> limited(vectorised(problem.model, limited_log, 7), options);
  require_identical(expected, limited.run({.ncores = 2, .seed = 2, .progress = false}));
  CHECK(limited_log.largest == 7);
}

TEST_CASE("a failing vectorised likelihood names the point, on threads and processes",
          "[vectorised][errors]") {
  parnest::Model model;
  model.names = {"a", "b"};
  model.prior = [](std::span<const double> u, std::span<double> theta) {
    std::copy(u.begin(), u.end(), theta.begin());
  };
  // Fails only inside a small box, so that a batch holds many good rows and few bad ones.
  auto bad = [](const parnest::RowMatrix& theta, Eigen::Index i) {
    return theta(i, 0) > 0.9 && theta(i, 1) > 0.9;
  };
  auto run = [&](bool thread_safe) {
    model.thread_safe = thread_safe;
    parnest::Sampler<parnest::Batch> sampler(model, {.n_live = 400, .n_batch = 100});
    return sampler.run({.ncores = 2, .seed = 1, .progress = false});
  };
  for (bool thread_safe : {true, false}) {
    CAPTURE(thread_safe);
    SECTION("NaN") {
      model.vectorised_log_likelihood = [&](const parnest::RowMatrix& theta, std::span<double> l) {
        for (Eigen::Index i = 0; i < theta.rows(); ++i) l[i] = bad(theta, i) ? NAN : 0.0;
      };
      try {
        run(thread_safe);
        FAIL("no exception");
      } catch (const parnest::LikelihoodError& e) {
        CHECK_THAT(e.what(), Contains("the vectorised log-likelihood returned NaN at a = 0.9"));
        REQUIRE(e.theta().size() == 2);
        CHECK((e.theta()[0] > 0.9 && e.theta()[1] > 0.9));
      }
    }
    SECTION("a value left unset") {
      model.vectorised_log_likelihood = [&](const parnest::RowMatrix& theta, std::span<double> l) {
        for (Eigen::Index i = 0; i < theta.rows(); ++i)
          if (!bad(theta, i)) l[i] = 0.0;
      };
      CHECK_THROWS_WITH(run(thread_safe), Contains("the vectorised log-likelihood left log_l[") &&
                                              Contains("unset, at a = 0.9"));
    }
    SECTION("an exception") {
      model.vectorised_log_likelihood = [&](const parnest::RowMatrix& theta, std::span<double> l) {
        for (Eigen::Index i = 0; i < theta.rows(); ++i) {
          if (bad(theta, i)) throw std::runtime_error("out of range");
          l[i] = 0.0;
        }
      };
      CHECK_THROWS_AS(run(thread_safe), parnest::LikelihoodError);
      CHECK_THROWS_WITH(run(thread_safe),
                        Contains("the vectorised log-likelihood threw \"out of range\" on a block "
                                 "of ") &&
                            Contains(" points, the first at a = "));
    }
  }
}

TEST_CASE("a model without any likelihood is refused", "[vectorised][errors]") {
  auto model = parnest::reference::gaussian(2).model;
  model.log_likelihood = nullptr;
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Batch>(model, {}),
                    Contains("model.log_likelihood is not set (nor "
                             "model.vectorised_log_likelihood)"));
}
