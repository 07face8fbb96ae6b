// Bad input gets a parnest exception that names the values involved: no crash, no hang, and
// no result that could be written as if the run had succeeded.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cmath>
#include <limits>

#include "recording_logger.hpp"

using Catch::Matchers::Contains;

namespace {
parnest::Model square_model(double (*log_l)(std::span<const double>)) {
  parnest::Model m;
  m.names = {"x", "y"};
  m.prior = [](std::span<const double> u, std::span<double> theta) {
    for (std::size_t i = 0; i < u.size(); ++i) theta[i] = -5.0 + 10.0 * u[i];
  };
  m.log_likelihood = log_l;
  return m;
}
double gaussian(std::span<const double> t) {
  return -0.5 * (t[0] * t[0] + t[1] * t[1]);
}
}  // namespace

TEST_CASE("a model whose names do not match what the prior writes is refused", "[errors][model]") {
  parnest::Model m = square_model(gaussian);
  SECTION("more names than the prior writes") {
    m.names = {"x", "y", "z"};
    m.prior = [](std::span<const double> u, std::span<double> theta) {
      theta[0] = u[0];
      theta[1] = u[1];
    };
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m),
                      Contains("model.names has 3 entries but the prior wrote only 2"));
  }
  SECTION("fewer names than the prior writes") {
    m.names = {"x"};
    m.prior = [](std::span<const double> u, std::span<double> theta) {
      double* out = theta.data();  // a prior written for 2 parameters, given 1 name
      out[0] = u[0];
      out[1] = 0.5;
    };
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m),
                      Contains("the prior wrote 2 values but model.names has 1"));
  }
  SECTION("no names, no prior, no likelihood") {
    m.names.clear();
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m), Contains("model.names is empty"));
    m = square_model(gaussian);
    m.prior = nullptr;
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m), Contains("model.prior is not set"));
    m = square_model(gaussian);
    m.log_likelihood = nullptr;
    CHECK_THROWS_AS(parnest::Sampler<parnest::Sequential>(m), parnest::ConfigError);
  }
}

TEST_CASE("empty, repeated and multi-line parameter names are refused, naming the entries",
          "[errors][model]") {
  parnest::Model m = square_model(gaussian);
  m.names = {"x", ""};
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m),
                    Contains("model.names[1] is empty: give every parameter a name"));
  m.names = {"x", "x"};
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m),
                    Contains("model.names[0] and model.names[1] are both \"x\""));
  m.names = {"x\ty", "z"};
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Batch>(m),
                    Contains("model.names[0] = \"x\\ty\" holds a control character"));
  m.names = {"a", "b\n"};
  CHECK_THROWS_AS(parnest::Sampler<parnest::Smc>(m), parnest::ConfigError);
  m.names = {"mass, solar", "say \"hi\""};  // printable: the output files quote them
  CHECK_NOTHROW(parnest::Sampler<parnest::Sequential>(m));
}

TEST_CASE("out-of-range sequential options are refused, naming option, value and range",
          "[errors][options]") {
  const parnest::Model m = square_model(gaussian);
  using S = parnest::Sampler<parnest::Sequential>;
  CHECK_THROWS_WITH(S(m, {.n_live = 5}),
                    Contains("n_live = 5 is invalid: need at least 2 d + 2 = 6 for 2 parameters"));
  CHECK_THROWS_WITH(S(m, {.dlogz = -1}), Contains("dlogz = -1"));
  CHECK_THROWS_WITH(S(m, {.n_live = 100, .n_replace = 51}), Contains("n_replace = 51"));
  CHECK_THROWS_WITH(S(m, {.enlarge = 0.5}), Contains("enlarge = 0.5"));
  CHECK_THROWS_AS(S(m, {.dlogz = std::nan("")}), std::invalid_argument);
  CHECK_THROWS_WITH(S(m, {.walks = 0}), Contains("walks = 0"));
  CHECK_THROWS_WITH(S(m, {.update_interval = 0}), Contains("update_interval = 0"));
  CHECK_NOTHROW(S(m, {.enlarge = 0}));  // 0 picks the default
}

TEST_CASE("sizes that cannot fit in memory are refused with the memory they need",
          "[errors][options]") {
  const parnest::Model m = square_model(gaussian);
  const std::size_t huge = 1'000'000'000'000'000;
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Sequential>(m, {.n_live = huge}),
                    Contains("Sequential option n_live = 1e+15 is invalid: its points alone would "
                             "need 4.8e+07 GB, more than the "));
  CHECK_THROWS_AS(parnest::Sampler<parnest::Batch>(m, {.n_live = huge}), parnest::ConfigError);
  CHECK_THROWS_WITH(parnest::Sampler<parnest::Smc>(m, {.n_eff = 1e15}),
                    Contains("Smc option n_eff = 1e+15") && Contains("GB of memory"));
  CHECK_NOTHROW(parnest::Sampler<parnest::Sequential>(m, {.n_live = 100'000}));
}

TEST_CASE("a size that needs over a gigabyte is announced before its long first step",
          "[errors][options]") {
  // Stops the run at its first message, so that the 1.44 GB run below never makes a call.
  struct StopAtFirstMessage : parnest::Logger {
    void message(parnest::LogLevel, const std::string& text) override {
      said.push_back(text);
      throw std::runtime_error("stopped by the test's logger");
    }
    std::vector<std::string> said;
  };
  const parnest::Model m = square_model(gaussian);
  auto logger = std::make_shared<StopAtFirstMessage>();
  // 2 d + 2 = 6 doubles per live point: 3e7 points hold 1.44 GB.
  parnest::Sampler<parnest::Sequential> large(m, {.n_live = 30'000'000});
  CHECK_THROWS_WITH(large.run({.ncores = 1, .progress = false, .logger = logger}),
                    "stopped by the test's logger");
  REQUIRE(logger->said.size() == 1);
  CHECK_THAT(logger->said[0], Contains("Sequential n_live = 3e+07 keeps at least 1.44 GB of "
                                       "points in memory") &&
                                  Contains("before any progress line"));

  auto quiet = std::make_shared<parnest::testing::RecordingLogger>();
  parnest::Sampler<parnest::Sequential> sampler(m, {.n_live = 100'000});
  const parnest::Result r =
      sampler.run({.ncores = 1, .progress = false, .max_calls = 1, .logger = quiet});
  REQUIRE(quiet->lines.size() == 1);
  CHECK_THAT(quiet->lines[0], Contains("warning: stopped at max_calls = 1 after 100000 "));
}

TEST_CASE("NaN, +inf and exceptions from the likelihood stop the run naming the point",
          "[errors][likelihood]") {
  const int ncores = GENERATE(1, 2);
  CAPTURE(ncores);
  auto expect_failure = [&](double (*log_l)(std::span<const double>), const std::string& what) {
    parnest::Sampler<parnest::Sequential> sampler(square_model(log_l), {.n_live = 50});
    try {
      (void)sampler.run({.ncores = ncores});
      FAIL("run() returned a result");
    } catch (const parnest::LikelihoodError& e) {
      CHECK_THAT(e.what(), Contains(what));
      CHECK_THAT(e.what(), Contains("x = ") && Contains("y = "));
      REQUIRE(e.theta().size() == 2);
      CHECK(e.theta()[0] > 1.0);  // the failing points are those with x > 1 below
    }
  };
  expect_failure([](std::span<const double> t) { return t[0] > 1 ? std::nan("") : gaussian(t); },
                 "returned NaN at");
  expect_failure(
      [](std::span<const double> t) {
        return t[0] > 1 ? std::numeric_limits<double>::infinity() : gaussian(t);
      },
      "returned +inf at");
  expect_failure(
      [](std::span<const double> t) -> double {
        if (t[0] > 1) throw std::domain_error("model undefined here");
        return gaussian(t);
      },
      "the log-likelihood threw \"model undefined here\" at");
}

TEST_CASE("an exception from the prior transform names the unit-cube point",
          "[errors][likelihood]") {
  parnest::Model m = square_model(gaussian);
  m.prior = [](std::span<const double> u, std::span<double> theta) {
    if (u[0] > 0.9) throw std::out_of_range("table lookup");
    theta[0] = u[0];
    theta[1] = u[1];
  };
  parnest::Sampler<parnest::Sequential> sampler(m, {.n_live = 50});
  CHECK_THROWS_WITH(
      sampler.run({.ncores = 1}),
      Contains("the prior transform threw \"table lookup\" at unit-cube point x = 0.9"));
}

TEST_CASE("a NaN from the prior transform is blamed on the prior, not the likelihood",
          "[errors][likelihood]") {
  parnest::Model m = square_model(gaussian);
  m.prior = [](std::span<const double> u, std::span<double> theta) {
    theta[0] = u[0];
    theta[1] = u[1] > 0.8 ? std::log(-u[1]) : u[1];  // a NaN away from the centre u = 0.5
  };
  parnest::Sampler<parnest::Sequential> sampler(m, {.n_live = 50});
  try {
    sampler.run({.ncores = 1});
    FAIL("a NaN parameter was not reported");
  } catch (const parnest::LikelihoodError& e) {
    CHECK_THAT(e.what(), Contains("the prior transform wrote NaN for parameter \"y\" at "
                                  "unit-cube point x = "));
    CHECK_THAT(e.what(), !Contains("log-likelihood"));
    REQUIRE(e.theta().size() == 2);
    CHECK(e.theta()[1] > 0.8);  // the unit-cube point
  }
}

TEST_CASE("log-likelihoods of -inf are allowed, and the prior mass where L = 0 is accounted for",
          "[likelihood]") {
  // L = 0 on the half x > 0 of the prior; the Gaussian (centre (-2, 0), width 0.3) lies in the
  // other half, so Z = 2 pi 0.09 / 100 as if the cut were not there. Initial points are drawn
  // where L > 0 only, so this checks that the lost prior mass is put back.
  parnest::Model m = square_model([](std::span<const double> t) {
    if (t[0] > 0) return -std::numeric_limits<double>::infinity();
    return -0.5 * ((t[0] + 2) * (t[0] + 2) + t[1] * t[1]) / 0.09;
  });
  parnest::Sampler<parnest::Sequential> sampler(m, {.n_live = 400});
  const parnest::Result r = sampler.run({.ncores = 1, .seed = 3});
  const double truth = std::log(2 * M_PI * 0.09 / 100.0);
  CHECK(std::abs(r.log_z - truth) < 3 * r.log_z_err);
}

TEST_CASE("a likelihood that is flat everywhere gives its value as log Z, with a warning",
          "[errors][sampler]") {
  // Every live point ties at log L = 1 (a plateau over the whole prior): the run ends at once
  // with Z = e^1 exactly, and says why, rather than hunting for a point above the plateau.
  parnest::Sampler<parnest::Sequential> sampler(
      square_model([](std::span<const double>) { return 1.0; }), {.n_live = 20, .max_draws = 2000});
  const parnest::Result r = sampler.run({.ncores = 1});
  CHECK(r.log_z == Approx(1.0).margin(1e-12));
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings.front(),
             Contains("all 20 live points have log-likelihood 1") && Contains("plateau"));
}

TEST_CASE("a likelihood that is -inf everywhere fails with a clear message", "[errors][sampler]") {
  parnest::Sampler<parnest::Sequential> sampler(square_model([](std::span<const double>) {
                                                  return -std::numeric_limits<double>::infinity();
                                                }),
                                                {.n_live = 20, .max_draws = 500});
  CHECK_THROWS_AS(sampler.run({.ncores = 1}), parnest::SamplerError);
}

TEST_CASE("all parnest errors can be caught as parnest::Error and as std::exception", "[errors]") {
  try {
    (void)parnest::uniform(2, 1);
  } catch (const parnest::Error& e) {
    CHECK_THAT(e.what(), Contains("parnest: uniform"));
  }
  try {
    throw parnest::LikelihoodError("x", {1.0});
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()) == "parnest: x");
  }
}
