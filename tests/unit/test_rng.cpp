// Random streams are the root of pool independence: they must be pure functions of their
// identifiers, differ between identifiers, and be statistically sound.
#include <catch2/catch.hpp>

#include <parnest/rng.hpp>

#include <cmath>
#include <set>

using parnest::RandomStream;
using parnest::StreamPurpose;

TEST_CASE("a stream is a pure function of (seed, purpose, iteration, slot)", "[rng]") {
  RandomStream a(42, StreamPurpose::replace, 7, 3), b(42, StreamPurpose::replace, 7, 3);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
}

TEST_CASE("streams with any identifier changed give different numbers", "[rng]") {
  std::set<std::uint64_t> first;
  for (std::uint64_t seed : {1, 2})
    for (auto purpose : {StreamPurpose::replace, StreamPurpose::resample})
      for (std::uint64_t iteration : {0ULL, 1ULL, 1ULL << 33})
        for (std::uint32_t slot : {0u, 1u, 1000u})
          first.insert(RandomStream(seed, purpose, iteration, slot).next_u64());
  CHECK(first.size() == 2 * 2 * 3 * 3);
}

TEST_CASE("uniform and normal draws have the right moments", "[rng]") {
  RandomStream rng(5, StreamPurpose::user, 0, 0);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    su += u;
    su2 += u * u;
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
    sn4 += z * z * z * z;
  }
  CHECK(su / n == Approx(0.5).margin(0.003));
  CHECK(su2 / n - std::pow(su / n, 2) == Approx(1.0 / 12).margin(0.001));
  CHECK(sn / n == Approx(0.0).margin(0.01));
  CHECK(sn2 / n == Approx(1.0).margin(0.01));
  CHECK(sn4 / n == Approx(3.0).margin(0.06));
}

TEST_CASE("below(n) is uniform over 0..n-1", "[rng]") {
  RandomStream rng(9, StreamPurpose::user, 0, 1);
  int counts[5] = {};
  for (int i = 0; i < 50000; ++i) ++counts[rng.below(5)];
  for (int c : counts) CHECK(c == Approx(10000).margin(400));
}
