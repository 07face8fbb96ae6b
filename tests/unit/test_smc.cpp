// The SMC backend: results independent of the pool, checkpoints that resume exactly, options
// refused with clear errors, and the pieces it is built from (the Student-t Crank-Nicolson
// move, the evidence refined by importance sampling).
#include <catch2/catch.hpp>

#include <parnest/moves/pcn.hpp>
#include <parnest/parnest.hpp>

#include <cmath>
#include <limits>

#include "identical.hpp"
#include "interrupted.hpp"
#include "pool_independence.hpp"
#include "problems.hpp"

using Catch::Matchers::Contains;
using parnest::testing::require_identical;

namespace {
const parnest::Smc::Options small{.n_eff_per_step = 256, .n_active = 128, .n_eff = 1024};
}  // namespace

TEST_CASE("smc results are bit-identical for ncores 1 and 2, processes and a user pool",
          "[determinism][smc]") {
  auto problem = parnest::reference::rosenbrock();
  for (bool flow : {false, true}) {
    CAPTURE(flow);
    auto options = small;
    options.flow = flow;
    const parnest::Result serial =
        parnest::testing::require_pool_independent<parnest::Smc>(problem.model, options, 5);
    CHECK(serial.sampler == "smc");
    CHECK(serial.n_eff >= options.n_eff);
    CHECK(std::abs(serial.weights().sum() - 1.0) < 1e-9);
  }
}

TEST_CASE("the default smc run is bit-identical for ncores 1 and 2", "[determinism][smc]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Smc> sampler(problem.model);
  const parnest::Result one = sampler.run({.ncores = 1, .seed = 11, .progress = false});
  const parnest::Result two = sampler.run({.ncores = 2, .seed = 11, .progress = false});
  CHECK(two.pool == "threads(2)");
  require_identical(one, two);
  CHECK(one.n_eff >= 4096);
}

TEST_CASE("an smc run interrupted and resumed equals one never interrupted", "[checkpoint][smc]") {
  const auto problem = parnest::reference::rosenbrock();
  parnest::Sampler<parnest::Smc> plain(problem.model, small);
  const parnest::Result reference = plain.run({.ncores = 1, .seed = 3, .progress = false});
  // Interrupted during the prior draws' batch and in the middle of the MCMC steps.
  require_identical(reference, parnest::testing::run_interrupted<parnest::Smc>(
                                   problem.model, small, 3, {300, 4000}, "smc-resume"));
}

TEST_CASE("out-of-range smc options are refused, naming option, value and range", "[errors][smc]") {
  const auto model = parnest::reference::gaussian(3).model;
  using Options = parnest::Smc::Options;
  auto refused = [&](Options o, const char* text) {
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Smc>(model, o), Contains(text));
  };
  refused({.n_active = 1}, "Smc option n_active = 1 is invalid: must be at least 2");
  refused({.n_eff_per_step = 100, .n_active = 200},
          "n_eff_per_step = 100 is invalid: must be at least n_active = 200");
  refused({.n_eff = 100}, "n_eff = 100 is invalid");
  refused({.target_acceptance = 1.0}, "target_acceptance = 1 is invalid");
  refused({.max_correlation = 1.0}, "max_correlation = 1 is invalid");
}

TEST_CASE("an smc run stopped by max_calls says so", "[smc]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Smc> capped(problem.model);
  const parnest::Result r =
      capped.run({.ncores = 1, .seed = 1, .progress = false, .max_calls = 2000});
  CHECK(r.n_like >= 2000);
  CHECK(r.n_like < 2000 + 256);
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Contains("max_calls = 2000"));
  CHECK_THAT(r.warnings[0], Contains("may be poor"));
}

TEST_CASE("a likelihood that is -inf everywhere fails the smc run clearly", "[errors][smc]") {
  parnest::Model model = parnest::reference::gaussian(2).model;
  model.log_likelihood = [](std::span<const double>) { return -INFINITY; };
  parnest::Sampler<parnest::Smc> sampler(model);
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .progress = false}),
                    Contains("-infinity at all 1024 prior draws"));
}

TEST_CASE("a likelihood finite on 0.1 % of the prior stops the smc run, saying why",
          "[errors][smc]") {
  // A 2-D Gaussian cut to a square of side 0.0316 around its centre: -inf elsewhere. Before,
  // beta stayed at 0 for hundreds of thousands of calls; max_calls keeps that from hanging.
  parnest::Model model = parnest::reference::gaussian(2).model;
  const auto inside = model.log_likelihood;
  model.log_likelihood = [inside](std::span<const double> theta) {
    for (double t : theta)
      if (std::abs(t - 0.5) > 0.0158) return -std::numeric_limits<double>::infinity();
    return inside(theta);
  };
  parnest::Sampler<parnest::Smc> sampler(model);
  const parnest::RunOptions capped{.ncores = 1, .seed = 1, .progress = false, .max_calls = 300'000};
  CHECK_THROWS_AS(sampler.run(capped), parnest::SamplerError);
  CHECK_THROWS_WITH(sampler.run(capped), Contains("Smc cannot start tempering: only ") &&
                                             Contains(" of 1024 prior draws (") &&
                                             Contains("parnest::Sequential"));
}

TEST_CASE("refine_draws reports an importance-sampling evidence from the final flow", "[smc]") {
  const auto problem = parnest::reference::correlated_gaussian(4);
  parnest::Sampler<parnest::Smc> sampler(
      problem.model, {.n_eff_per_step = 256, .n_active = 128, .n_eff = 1024, .refine_draws = 4096});
  const parnest::Result r = sampler.run({.ncores = 1, .seed = 2, .progress = false});
  CAPTURE(r.log_z, r.log_z_err);
  CHECK(std::abs(r.log_z - problem.log_z) < 3 * r.log_z_err);
  // A preconditioner that fits a Gaussian posterior gives near-equal weights: a tight error.
  CHECK(r.log_z_err < 0.02);
}

TEST_CASE("the Student-t Crank-Nicolson move keeps its t-distribution invariant", "[smc]") {
  // A chain of pCN moves of a t_5 in 3 dimensions, every move accepted (it is exact for its own
  // t): the chain's moments must be those of the t.
  Eigen::MatrixXd scale(3, 3);
  scale << 1.0, 0.3, 0.0, 0.3, 2.0, -0.5, 0.0, -0.5, 0.5;
  const Eigen::Vector3d mean(1.0, -2.0, 0.5);
  const double nu = 5.0;
  const parnest::detail::StudentPcn t(mean, scale, nu);
  parnest::RandomStream rng(4, parnest::StreamPurpose::user, 0, 0);
  Eigen::VectorXd x = mean;
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  Eigen::Matrix3d outer = Eigen::Matrix3d::Zero();
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    x = t.propose(x, 0.7, rng);
    sum += x;
    outer += (x - mean) * (x - mean).transpose();
  }
  const Eigen::Matrix3d covariance = scale * nu / (nu - 2);
  CHECK((sum / n - mean).cwiseAbs().maxCoeff() < 0.03);
  CHECK((outer / n - covariance).cwiseAbs().maxCoeff() < 0.15);
  // Its direct draws agree, and the normalised density integrates to one (importance check
  // against a wide Gaussian would be noisy; a grid in 1-D is exact enough).
  const parnest::detail::StudentPcn one(Eigen::VectorXd::Constant(1, 0.0),
                                        Eigen::MatrixXd::Identity(1, 1), nu);
  double integral = 0.0;
  for (double v = -200; v < 200; v += 0.001)
    integral += std::exp(one.log_normalised_density(Eigen::VectorXd::Constant(1, v))) * 0.001;
  CHECK(integral == Approx(1.0).epsilon(1e-3));
}
