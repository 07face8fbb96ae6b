// Built-in priors: each must map u to the right quantile, reject bad parameters with a message
// that names them, and compose into a transform with one name per parameter.
#include <catch2/catch.hpp>

#include <parnest/prior.hpp>

using Catch::Matchers::Contains;

TEST_CASE("the normal quantile inverts the normal CDF to near double precision", "[prior]") {
  for (double p : {1e-300, 1e-20, 1e-8, 0.001, 0.02425, 0.1, 0.5, 0.77, 0.97575, 0.999999}) {
    const double x = parnest::detail::normal_quantile(p);
    CHECK(parnest::detail::normal_cdf(x) == Approx(p).epsilon(1e-12));
  }
  CHECK(parnest::detail::normal_quantile(0.5) == Approx(0.0).margin(1e-15));
  CHECK(parnest::detail::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
}

TEST_CASE("uniform, log-uniform and normal priors map u to their quantiles", "[prior]") {
  CHECK(parnest::uniform(-2, 6).from_unit(0.25) == Approx(0.0));
  CHECK(parnest::log_uniform(1e-2, 1e2).from_unit(0.5) == Approx(1.0));
  CHECK(parnest::log_uniform(1e-2, 1e2).from_unit(0.75) == Approx(10.0));
  CHECK(parnest::normal(3, 2).from_unit(0.975) == Approx(3 + 2 * 1.959963984540054));
}

TEST_CASE("a truncated normal stays in its bounds and increases with u", "[prior]") {
  SECTION("bounds around the mean") {
    const auto t = parnest::truncated_normal(0, 1, -1, 2);
    CHECK(t.from_unit(0.0) == Approx(-1.0));
    CHECK(t.from_unit(1.0) == Approx(2.0));
    // The median of N(0,1) on [-1, 2]: Phi(m) = (Phi(-1) + Phi(2)) / 2.
    const double mid = (parnest::detail::normal_cdf(-1) + parnest::detail::normal_cdf(2)) / 2;
    CHECK(t.from_unit(0.5) == Approx(parnest::detail::normal_quantile(mid)));
  }
  SECTION("far in the upper tail, where CDF values near 1 would lose all precision") {
    const auto t = parnest::truncated_normal(0, 1, 10, 11);
    double previous = 10.0;
    for (double u : {0.0, 0.1, 0.5, 0.9, 1.0}) {
      const double x = t.from_unit(u);
      CHECK(x >= 10.0 - 1e-9);
      CHECK(x <= 11.0 + 1e-9);
      CHECK(x >= previous - 1e-12);
      previous = x;
    }
    CHECK(t.from_unit(0.0) == Approx(10.0));
  }
}

TEST_CASE("bad prior parameters are refused with the values in the message", "[prior][errors]") {
  CHECK_THROWS_WITH(parnest::uniform(1, 1), Contains("uniform(1, 1)"));
  CHECK_THROWS_AS(parnest::log_uniform(0, 1), parnest::ConfigError);
  CHECK_THROWS_AS(parnest::normal(0, -1), std::invalid_argument);
  CHECK_THROWS_WITH(parnest::truncated_normal(0, 1, 50, 60), Contains("no probability mass"));
}

TEST_CASE("Priors composes named distributions into a prior transform", "[prior]") {
  parnest::Priors priors;
  priors.add("a", parnest::uniform(0, 10)).add("b", parnest::normal(1, 1));
  CHECK(priors.names() == std::vector<std::string>{"a", "b"});
  const double u[] = {0.5, 0.5};
  double theta[2];
  priors(u, theta);
  CHECK(theta[0] == Approx(5.0));
  CHECK(theta[1] == Approx(1.0));
  CHECK_THROWS_WITH(priors.add("a", parnest::uniform(0, 1)), Contains("\"a\" added twice"));
}
