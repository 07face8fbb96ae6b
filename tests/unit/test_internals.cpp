// The parts under the backends that have no behaviour of their own to run: the archives that
// checkpoints and task contexts are written with, each backend's options table, and the
// context cache and chunk policy that ProcessPool and MpiPool share.
#include <catch2/catch.hpp>

#include <parnest/backend/batch.hpp>
#include <parnest/backend/sequential.hpp>
#include <parnest/backend/smc.hpp>
#include <parnest/detail/batch_run.hpp>
#include <parnest/detail/chunks.hpp>
#include <parnest/detail/context_cache.hpp>
#include <parnest/detail/flat.hpp>
#include <parnest/detail/sequential_run.hpp>
#include <parnest/detail/smc_run.hpp>

#include <limits>
#include <numeric>
#include <set>

using Catch::Matchers::Contains;
using parnest::detail::FlatReader;
using parnest::detail::FlatWriter;

namespace {
enum class Colour { red, green, blue, last = blue };

// A state object of every kind of field, written and read by one function.
struct State {
  double x = 0.0;
  std::size_t calls = 0;
  bool done = false;
  std::uint64_t seed = 0;
  Colour colour = Colour::red;
  std::vector<double> values;
  Eigen::MatrixXd matrix;
  Eigen::VectorXd empty_vector;
  std::string name;
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::string>> options;
  std::optional<parnest::detail::Ellipsoid> shape;
  std::vector<std::vector<std::uint64_t>> nested;

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& s) {
    ar.value(s.x);
    ar.tally(s.calls);
    ar.flag(s.done);
    ar.bits(s.seed);
    ar.choice(s.colour);
    ar.sized(s.values);
    ar.sized(s.matrix);
    ar.sized(s.empty_vector);
    ar.text(s.name);
    ar.sequence(s.words);
    ar.sequence(s.options);
    ar.optional(s.shape);
    ar.sequence(s.nested, [&](auto& bits) { ar.sequence(bits, [&](auto& w) { ar.bits(w); }); });
  }
};

}  // namespace

TEST_CASE("one serialize function writes and reads back every kind of field", "[internals]") {
  State a;
  a.x = -0.1;
  a.calls = 123456789;
  a.done = true;
  a.seed = 0xfedcba9876543210ULL;
  a.colour = Colour::blue;
  a.values = {1.5, std::numeric_limits<double>::infinity()};
  a.matrix = Eigen::MatrixXd::Random(3, 2);
  a.name = "parnest";
  a.words = {"a", "", "bc"};
  a.options = {{"n_live", "500"}, {"bound", "multi"}};
  Eigen::MatrixXd points = Eigen::MatrixXd::Random(20, 2);
  a.shape = parnest::detail::Ellipsoid::bounding(points);
  a.nested = {{1, 2}, {}, {3}};
  std::vector<double> flat;
  FlatWriter out(flat);
  out.object(a);
  FlatReader in(flat, "the state");
  const auto b = in.read<State>();
  in.expect_end();
  CHECK(b.x == a.x);
  CHECK(b.calls == a.calls);
  CHECK(b.done);
  CHECK(b.seed == a.seed);
  CHECK(b.colour == Colour::blue);
  CHECK(b.values == a.values);
  CHECK(b.matrix == a.matrix);
  CHECK(b.empty_vector.size() == 0);
  CHECK(b.name == a.name);
  CHECK(b.words == a.words);
  CHECK(b.options == a.options);
  REQUIRE(b.shape);
  CHECK(b.shape->center() == a.shape->center());
  CHECK(b.shape->log_volume() == a.shape->log_volume());
  CHECK(b.nested == a.nested);

  SECTION("an enum value beyond the enum's named count is corrupt data") {
    std::vector<double> bad = flat;
    bad[4] = 3.0;  // colour: red, green, blue only
    FlatReader bad_in(bad, "the state");
    CHECK_THROWS_WITH(bad_in.read<State>(), Contains("a choice among 3"));
  }
  SECTION("a negative counter is corrupt data") {
    std::vector<double> bad = flat;
    bad[1] = -1.0;
    FlatReader bad_in(bad, "the state");
    CHECK_THROWS_WITH(bad_in.read<State>(), Contains("where a counter belongs"));
  }
  SECTION("every truncation is refused, never read past the end") {
    for (std::size_t n = 0; n < flat.size(); ++n) {
      FlatReader short_in(std::span<const double>(flat.data(), n), "the state");
      CHECK_THROWS_AS(short_in.read<State>(), parnest::IoError);
    }
  }
}

TEST_CASE("each backend's options table lists every option once and drives describe",
          "[internals][options]") {
  auto check = [](const auto& table, const auto& options, std::size_t d) {
    std::set<std::string> names;
    for (const auto& row : table) CHECK(names.insert(row.name).second);
    const auto described = parnest::detail::describe_options(table, options, d);
    CHECK(described.size() == table.size());
    for (const auto& [name, value] : described) CHECK(!value.empty());
  };
  check(parnest::detail::BatchRun::option_table(), parnest::Batch::Options{}, 3);
  check(parnest::detail::SequentialRun::option_table(), parnest::Sequential::Options{}, 3);
  check(parnest::detail::SmcRun::option_table(), parnest::Smc::Options{}, 3);
  // Number of options in each Options struct, by hand: a new option must get a table row.
  CHECK(parnest::detail::BatchRun::option_table().size() == 13);
  CHECK(parnest::detail::SequentialRun::option_table().size() == 11);
  CHECK(parnest::detail::SmcRun::option_table().size() == 8);
}

TEST_CASE("invalid options of every backend get one wording with the value in shortest form",
          "[internals][options]") {
  using parnest::detail::BatchRun;
  using parnest::detail::SequentialRun;
  using parnest::detail::SmcRun;
  CHECK_THROWS_WITH(BatchRun::validate({.f_live = 1.1}, 2),
                    "parnest: Batch option f_live = 1.1 is invalid: must lie strictly between 0 "
                    "and 1");
  CHECK_THROWS_WITH(SmcRun::validate({.max_correlation = 1.1}, 2),
                    "parnest: Smc option max_correlation = 1.1 is invalid: must lie strictly "
                    "between 0 and 1");
  CHECK_THROWS_WITH(SequentialRun::validate({.enlarge = 0.5}, 2),
                    "parnest: Sequential option enlarge = 0.5 is invalid: must be a finite number "
                    ">= 1 (0 picks a default)");
  CHECK_THROWS_WITH(BatchRun::validate({.enlarge = 0.5}, 2),
                    "parnest: Batch option enlarge = 0.5 is invalid: must be a finite number >= 1 "
                    "(0 picks a default)");
  CHECK_THROWS_WITH(SequentialRun::validate({.n_live = 5}, 2),
                    "parnest: Sequential option n_live = 5 is invalid: need at least 2 d + 2 = 6 "
                    "for 2 parameters");
  CHECK_THROWS_WITH(SmcRun::validate({.n_eff_per_step = 300, .n_eff = 50}, 2),
                    "parnest: Smc option n_eff = 50 is invalid: must be finite and at least "
                    "n_eff_per_step = 300");
  CHECK_NOTHROW(BatchRun::validate({}, 2));
  CHECK_NOTHROW(SequentialRun::validate({}, 2));
  CHECK_NOTHROW(SmcRun::validate({}, 2));
}

TEST_CASE("the context cache sends a context again only when it changed", "[internals][pool]") {
  parnest::detail::ContextCache cache;
  CHECK(cache.version() == 0);
  int anchor = 0;
  auto recipe = [&](double x) {
    parnest::TaskRecipe r;
    r.anchor = &anchor;
    r.anchor_id = 7;
    r.kind = "kind";
    r.context = {1.0, x};
    return r;
  };
  CHECK(cache.update(recipe(2.0)));
  CHECK(cache.version() == 1);
  CHECK_FALSE(cache.update(recipe(2.0)));
  CHECK(cache.version() == 1);
  CHECK(cache.update(recipe(-0.0)));  // bit for bit: -0 differs from 0
  CHECK(cache.update(recipe(0.0)));
  CHECK(cache.version() == 3);
  cache.forget();  // a run ended: its workers forgot their task
  CHECK(cache.update(recipe(0.0)));
  CHECK(cache.version() == 4);
}

TEST_CASE("chunks cover a batch once, large first and single rows at the end",
          "[internals][pool]") {
  for (std::size_t rows : {1, 7, 100, 1000})
    for (std::size_t evaluators : {1, 2, 8}) {
      std::vector<std::size_t> sizes;
      for (std::size_t left = rows; left > 0; left -= sizes.back())
        sizes.push_back(parnest::detail::next_chunk(left, evaluators, 0));
      CHECK(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}) == rows);
      CHECK(std::is_sorted(sizes.rbegin(), sizes.rend()));
      CHECK(sizes.back() == 1);
      CHECK(sizes.front() == std::max<std::size_t>(1, rows / (2 * evaluators)));
    }
  CHECK(parnest::detail::next_chunk(10, 2, 4) == 4);  // chunk_rows fixes it
  CHECK(parnest::detail::next_chunk(3, 2, 4) == 3);
}
