// Random streams are the root of pool independence: they must be pure functions of their
// identifiers, differ between identifiers, and be statistically sound.
#include <catch2/catch.hpp>

#include <parnest/rng.hpp>

#ifdef PARNEST_HAVE_RANDOM123
#include <Random123/philox.h>  // the reference implementation (librandom123-dev)
#endif

#include <array>
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

TEST_CASE("Philox4x32-10 gives Random123's published known answers", "[rng]") {
  // The philox4x32 10-round vectors of Random123's kat_vectors (Salmon et al. 2011): counter,
  // key, result.
  using parnest::detail::philox4x32_10;
  using Block = std::array<std::uint32_t, 4>;
  using Key = std::array<std::uint32_t, 2>;
  CHECK(philox4x32_10(Block{0, 0, 0, 0}, Key{0, 0}) ==
        Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10(Block{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                      Key{0xffffffff, 0xffffffff}) ==
        Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10(Block{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                      Key{0xa4093822, 0x299f31d0}) ==
        Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
  // A stream's first draws are the first block of its counter and key, high word first.
  RandomStream zero(0, StreamPurpose{0}, 0, 0);
  CHECK(zero.next_u64() == 0x6627e8d5e169c58dULL);
  CHECK(zero.next_u64() == 0xbc57ac4c9b00dbd8ULL);
}

#ifdef PARNEST_HAVE_RANDOM123
TEST_CASE("Philox4x32-10 equals Random123's philox4x32 on many counters and keys", "[rng]") {
  r123::Philox4x32 reference;
  RandomStream pick(9, StreamPurpose::user, 0, 0);
  auto word = [&] { return static_cast<std::uint32_t>(pick.next_u64()); };
  for (int i = 0; i < 10000; ++i) {
    const std::array<std::uint32_t, 4> counter{word(), word(), word(), word()};
    const std::array<std::uint32_t, 2> key{word(), word()};
    const auto expected =
        reference({{counter[0], counter[1], counter[2], counter[3]}}, {{key[0], key[1]}});
    const auto got = parnest::detail::philox4x32_10(counter, key);
    for (int j = 0; j < 4; ++j) REQUIRE(got[j] == expected[j]);
  }
}
#endif
