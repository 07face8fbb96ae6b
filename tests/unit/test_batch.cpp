// The batch backend: results independent of the pool, checkpoints that resume exactly, options
// refused with clear errors, and the pieces it is built from (the emulator's networks, the
// bounds' volume estimates).
#include <catch2/catch.hpp>

#include <parnest/bound/shell_bound.hpp>
#include <parnest/neural/emulator.hpp>
#include <parnest/parnest.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "identical.hpp"
#include "interrupted.hpp"
#include "pool_independence.hpp"
#include "problems.hpp"
#include "recording_logger.hpp"

using Catch::Matchers::Contains;
using parnest::testing::require_identical;

namespace {
const parnest::Batch::Options small{.n_live = 200, .n_batch = 50, .n_eff = 2000};

// What a serial run of Batch on `model` from `seed` tells its logger, as "note: ..." lines.
std::string printed_by_run(const parnest::Model& model, const parnest::Batch::Options& options,
                           std::uint64_t seed, std::size_t max_calls = 0) {
  parnest::Sampler<parnest::Batch> sampler(model, options);
  auto logger = std::make_shared<parnest::testing::RecordingLogger>();
  (void)sampler.run(
      {.ncores = 1, .seed = seed, .progress = false, .max_calls = max_calls, .logger = logger});
  return logger->text();
}

// `printed` holds `note`, once.
void require_noted_once(const std::string& printed, const std::string& note) {
  REQUIRE_THAT(printed, Contains(note));
  CHECK(printed.find(note) == printed.rfind(note));
}
}  // namespace

TEST_CASE("batch results are bit-identical for ncores 1 and 2, processes and a user pool",
          "[determinism][batch]") {
  auto problem = parnest::reference::gaussian_shells();
  for (std::size_t networks : {0, 2}) {
    CAPTURE(networks);
    auto options = small;
    options.networks = networks;
    // Forked processes rebuild the tasks (also the networks' training) from their recipes.
    const parnest::Result serial =
        parnest::testing::require_pool_independent<parnest::Batch>(problem.model, options, 5);
    CHECK(serial.sampler == "batch");
    CHECK(serial.n_eff >= options.n_eff);
    CHECK(serial.n_like % options.n_batch == 0);
    CHECK(std::abs(serial.weights().sum() - 1.0) < 1e-9);
  }
}

TEST_CASE("a batch run interrupted and resumed equals one never interrupted",
          "[checkpoint][batch]") {
  const auto problem = parnest::reference::rosenbrock();
  parnest::Sampler<parnest::Batch> plain(problem.model, small);
  const parnest::Result reference = plain.run({.ncores = 1, .seed = 3, .progress = false});
  // SIGTERM at the given calls: the run finishes its batch, writes the checkpoint and throws
  // Interrupted; the next run() resumes. Call 10 stops it inside the first fill, whose open
  // call target once came back from the checkpoint as 0 (bench/soak_kill.cpp found it).
  require_identical(reference, parnest::testing::run_interrupted<parnest::Batch>(
                                   problem.model, small, 3, {10, 700, 5000}, "batch-resume"));
}

TEST_CASE("out-of-range batch options are refused, naming option, value and range",
          "[errors][batch]") {
  const auto model = parnest::reference::gaussian(3).model;
  using Options = parnest::Batch::Options;
  auto refused = [&](Options o, const char* text) {
    CHECK_THROWS_WITH(parnest::Sampler<parnest::Batch>(model, o), Contains(text));
  };
  refused({.n_live = 7}, "n_live = 7 is invalid: need at least 2 d + 2 = 8 for 3 parameters");
  refused({.n_batch = 0}, "n_batch = 0 is invalid");
  refused({.f_live = 1.0}, "f_live = 1 is invalid: must lie strictly between 0 and 1");
  refused({.n_eff = -1}, "n_eff = -1 is invalid");
  refused({.enlarge = 0.5}, "enlarge = 0.5 is invalid");
  refused({.networks = 100}, "networks = 100 is invalid: must be at most 64");
  refused({.volume_draws = 10}, "volume_draws = 10 is invalid");
  CHECK_THROWS_AS(parnest::Sampler<parnest::Batch>(model, {.max_draws = 0}), parnest::ConfigError);
  refused({.min_efficiency = 1.5}, "min_efficiency = 1.5 is invalid: must lie in [0, 1)");
}

TEST_CASE("an exploration that stalls stops with a SamplerError saying what happened",
          "[errors][batch]") {
  // A ring of width 1e-7: ellipsoids around a few points on it hold ever less of the ring as
  // the threshold rises, so the points above it become rare and the bounds never reach the peak.
  parnest::Model model = parnest::reference::gaussian(2).model;
  model.log_likelihood = [](std::span<const double> x) {
    const double r = std::hypot(x[0] - 0.5, x[1] - 0.5);
    return -0.5 * (r - 0.3) * (r - 0.3) / 1e-14;
  };
  // max_calls keeps a run that fails to notice the stall from running on (it would then
  // return with a warning, and the check below fail).
  parnest::Sampler<parnest::Batch> sampler(model, {.n_live = 20});
  try {
    (void)sampler.run({.ncores = 1, .seed = 3, .progress = false, .max_calls = 2'000'000});
    FAIL("the stalled run returned a result");
  } catch (const parnest::SamplerError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Contains("Batch's exploration stalled after"));
    CHECK_THAT(what, Contains("min_efficiency 0.001"));
    CHECK_THAT(what, Contains("try parnest::Sequential"));
  }
}

TEST_CASE("a slow exploration is noted once while the run goes on, a healthy one not at all",
          "[batch]") {
  // Rosenbrock-10's contours are hundreds of thin curved branches (docs/batch.md): with 22
  // live points, fewer than 1 % of the draws land above the threshold after a few bounds.
  const std::string noted =
      printed_by_run(parnest::reference::rosenbrock(10).model, {.n_live = 22}, 5, 40'000);
  require_noted_once(noted, "note: Batch's exploration is slow");
  CHECK_THAT(noted, Contains("halving the bound's volume costs about"));
  CHECK_THAT(noted, Contains("parnest::Sequential or parnest::Smc"));
  CHECK(printed_by_run(parnest::reference::gaussian(2).model, {}, 5).empty());
}

TEST_CASE(
    "an exploration up a funnel's neck goes on past f_live and says so once, a Gaussian's not",
    "[batch]") {
  // Neal's funnel climbs at 0.75-0.9 per e-fold of volume all along its neck, a 10-D Gaussian
  // at 0.36 when its live points hold 1 % of the evidence (docs/batch.md).
  const parnest::Batch::Options options{.n_live = 100, .n_eff = 200};
  const std::string noted = printed_by_run(parnest::reference::funnel().model, options, 4);
  const std::string note = "note: Batch's exploration goes on past f_live = 0.01";
  require_noted_once(noted, note);
  CHECK_THAT(noted, Contains("per e-fold of prior volume (a funnel's neck)"));
  CHECK(printed_by_run(parnest::reference::gaussian(10).model, options, 4).find(note) ==
        std::string::npos);
}

TEST_CASE("a likelihood finite on 0.01 % of the prior stops Batch's first fill, saying so",
          "[errors][batch]") {
  parnest::Model model = parnest::reference::gaussian(2).model;
  const auto inside = model.log_likelihood;
  model.log_likelihood = [inside](std::span<const double> x) {
    if (std::abs(x[0] - 0.5) > 0.005 || std::abs(x[1] - 0.5) > 0.005)
      return -std::numeric_limits<double>::infinity();
    return inside(x);
  };
  parnest::Sampler<parnest::Batch> sampler(model, {.n_live = 100});
  CHECK_THROWS_WITH(
      sampler.run({.ncores = 1, .seed = 3, .progress = false, .max_calls = 2'000'000}),
      Contains("Batch's first fill stalled after") &&
          Contains("prior draws had a finite log-likelihood") &&
          Contains("-infinity on nearly all of the prior"));
}

TEST_CASE("a batch run stopped by max_calls says so and discard_exploration keeps later points",
          "[batch]") {
  const auto problem = parnest::reference::gaussian(2);
  parnest::Sampler<parnest::Batch> capped(problem.model, {.n_live = 200});
  const parnest::Result r =
      capped.run({.ncores = 1, .seed = 1, .progress = false, .max_calls = 1000});
  CHECK(r.n_like == 1000);
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Contains("max_calls = 1000"));

  parnest::Batch::Options options = small;
  const parnest::Result all =
      parnest::Sampler<parnest::Batch>(problem.model, options).run({.seed = 2, .progress = false});
  options.discard_exploration = true;
  const parnest::Result later =
      parnest::Sampler<parnest::Batch>(problem.model, options).run({.seed = 2, .progress = false});
  CHECK(later.samples.rows() < static_cast<Eigen::Index>(later.n_like));
  CHECK(all.samples.rows() == static_cast<Eigen::Index>(all.n_like));
  CHECK(later.n_eff >= options.n_eff);
  CHECK(std::abs(later.log_z - problem.log_z) < 3 * later.log_z_err);

  // Bounds cut by networks fit the exploration's points too closely to count them.
  options.discard_exploration = false;
  options.networks = 2;
  const parnest::Result emulated =
      parnest::Sampler<parnest::Batch>(problem.model, options).run({.seed = 2, .progress = false});
  CHECK(emulated.samples.rows() < static_cast<Eigen::Index>(emulated.n_like));
  CHECK(emulated.n_eff >= options.n_eff);
  const auto described = parnest::Batch::describe(options, 2);
  CHECK(std::find(described.begin(), described.end(),
                  std::pair<std::string, std::string>{"discard_exploration", "true (networks)"}) !=
        described.end());
}

TEST_CASE("bounds with networks are rebuilt after 2 n_live calls, ellipsoids after 10 n_live",
          "[batch]") {
  // The run's identity (and so a checkpoint) carries the resolved value.
  auto cap = [](const parnest::Batch::Options& o) {
    for (const auto& [name, value] : parnest::Batch::describe(o, 3))
      if (name == "n_like_new_bound") return value;
    return std::string("missing");
  };
  CHECK(cap({.n_live = 300}) == "3000");
  CHECK(cap({.n_live = 300, .networks = 4}) == "600");
  CHECK(cap({.n_live = 300, .n_like_new_bound = 1234, .networks = 4}) == "1234");
}

TEST_CASE("a likelihood that is -inf almost everywhere fails the batch run clearly",
          "[errors][batch]") {
  parnest::Model model = parnest::reference::gaussian(2).model;
  model.log_likelihood = [](std::span<const double>) { return -INFINITY; };
  parnest::Sampler<parnest::Batch> sampler(model, {.n_live = 10});
  CHECK_THROWS_WITH(sampler.run({.ncores = 1, .progress = false}),
                    Contains("no point with log-likelihood above -inf"));
}

TEST_CASE("the emulator's networks learn which side of a contour a point lies on",
          "[batch][neural]") {
  // Points in the unit square, log L of a Gaussian at the centre; threshold at radius 0.25.
  parnest::RandomStream rng(1, parnest::StreamPurpose::user, 0, 0);
  const Eigen::Index n = 2000;
  parnest::RowMatrix u(n, 2);
  std::vector<double> log_l(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    u(i, 0) = rng.uniform();
    u(i, 1) = rng.uniform();
    log_l[static_cast<std::size_t>(i)] = -(std::pow(u(i, 0) - 0.5, 2) + std::pow(u(i, 1) - 0.5, 2));
  }
  const double threshold = -0.25 * 0.25;
  parnest::SerialPool pool;
  const auto emulator =
      parnest::detail::neural::Emulator::train(pool, u, log_l, threshold, 2, 7, 0, nullptr, 0);
  int right = 0, tested = 0;
  for (double x = 0.025; x < 1; x += 0.05)
    for (double y = 0.025; y < 1; y += 0.05) {
      const double r = std::hypot(x - 0.5, y - 0.5);
      if (std::abs(r - 0.25) < 0.05) continue;  // too close to the contour to ask
      const double point[2] = {x, y};
      right += (emulator.score(point) > 0.5) == (r < 0.25) ? 1 : 0;
      ++tested;
    }
  CHECK(right >= 0.97 * tested);
}

TEST_CASE("a shell bound keeps a point that some ellipsoid holding it keeps", "[batch][bound]") {
  // Two overlapping discs; the left one's emulator turns down everything (cut +inf), the right
  // one has none. Its own emulator decides only inside its own ellipsoid.
  auto disc = [](double cx) {
    parnest::RowMatrix pts(4, 2);
    pts << cx - 0.2, 0.5, cx + 0.2, 0.5, cx, 0.3, cx, 0.7;
    return parnest::detail::Ellipsoid::bounding(pts);
  };
  const parnest::detail::Bound region = parnest::detail::Bound::around({disc(0.35), disc(0.6)});
  parnest::RowMatrix u(3, 2);
  u << 0.2, 0.5, 0.5, 0.5, 0.75, 0.5;
  const std::vector<double> log_l{0.0, 1.0, 2.0};
  parnest::SerialPool pool;
  std::vector<parnest::detail::EllipsoidCut> cuts(2);
  cuts[0] = {parnest::detail::neural::Emulator::train(pool, u, log_l, 0.5, 1, 7, 0, nullptr, 0),
             std::numeric_limits<double>::infinity()};
  const parnest::detail::ShellBound bound(region, std::move(cuts));
  const double left_only[2] = {0.2, 0.5}, both[2] = {0.5, 0.5}, right_only[2] = {0.75, 0.5};
  const double outside[2] = {0.95, 0.95};
  CHECK_FALSE(bound.contains(left_only));
  CHECK(bound.contains(both));
  CHECK(bound.contains(right_only));
  CHECK_FALSE(bound.contains(outside));
  CHECK(bound.has_emulator());
}

TEST_CASE("a shell bound's volume estimate is unbiased, with an honest error", "[batch][bound]") {
  // Two overlapping discs of radius 0.2 in the unit square, one sticking out of it: the union's
  // area inside the square is known in closed form for this layout only roughly, so compare
  // with a fine grid count instead.
  auto disc = [](double cx, double cy) {
    parnest::RowMatrix pts(4, 2);
    pts << cx - 0.2, cy, cx + 0.2, cy, cx, cy - 0.2, cx, cy + 0.2;
    return parnest::detail::Ellipsoid::bounding(pts);
  };
  const parnest::detail::Bound region =
      parnest::detail::Bound::around({disc(0.4, 0.5), disc(0.55, 0.5), disc(0.1, 0.1)});
  double area = 0;
  const int grid = 2000;
  for (int i = 0; i < grid; ++i)
    for (int j = 0; j < grid; ++j) {
      const double p[2] = {(i + 0.5) / grid, (j + 0.5) / grid};
      area += region.contains(p) ? 1.0 / (grid * grid) : 0.0;
    }
  parnest::detail::ShellBound bound(region, {});
  parnest::RandomStream rng(3, parnest::StreamPurpose::volume, 0, 0);
  bound.add_volume_draws(rng, 200000, 2);
  CHECK(std::abs(bound.log_volume() - std::log(area)) < 3 * std::sqrt(bound.log_volume_variance()));
  CHECK(std::sqrt(bound.log_volume_variance()) < 0.01);
}
