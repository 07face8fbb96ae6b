// The result's derived quantities and the files write() produces: parse them back.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "problems.hpp"

using Catch::Matchers::Contains;

namespace {
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

const parnest::Result& readme_result() {
  static const parnest::Result r = [] {
    parnest::Sampler<parnest::Sequential> s(parnest::reference::readme_gaussian().model,
                                            {.n_live = 300});
    return s.run({.ncores = 1, .seed = 5});
  }();
  return r;
}
}  // namespace

TEST_CASE("result weights are normalised and its summaries are consistent", "[result]") {
  const parnest::Result& r = readme_result();
  CHECK(r.weights().sum() == Approx(1.0).epsilon(1e-12));
  CHECK(r.samples.rows() == r.log_weights.size());
  CHECK(r.samples.rows() == r.log_likelihoods.size());
  CHECK(r.samples.cols() == 2);
  CHECK(r.names == std::vector<std::string>{"x", "y"});
  CHECK(r.n_eff > 100);
  CHECK(r.n_eff < static_cast<double>(r.samples.rows()));
  CHECK(r.information > 0);
  CHECK(r.sampler == "sequential");
  CHECK(r.seed == 5);
  CHECK(r.wall_seconds > 0);
}

TEST_CASE("equal-weight draws reproduce the weighted posterior", "[result]") {
  const parnest::Result& r = readme_result();
  const Eigen::MatrixXd draws = r.equal_weight_samples();
  CHECK(draws.rows() == static_cast<Eigen::Index>(std::floor(r.n_eff)));
  const Eigen::MatrixXd more = r.equal_weight_samples(5000, 9);
  CHECK(more.rows() == 5000);
  const Eigen::VectorXd mean = more.colwise().mean();
  CHECK(mean[0] == Approx(r.mean()[0]).margin(0.01));
  CHECK(mean[1] == Approx(r.mean()[1]).margin(0.01));
  CHECK(r.equal_weight_samples(100, 3) == r.equal_weight_samples(100, 3));
}

TEST_CASE("write() produces CSV and JSON files that parse back", "[result][output]") {
  const parnest::Result& r = readme_result();
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-write-test").string();
  std::filesystem::remove_all(dir);
  parnest::write(r, dir + "/nested/run");

  const auto weighted = read_csv(dir + "/nested/run.csv");
  REQUIRE(weighted.size() == static_cast<std::size_t>(r.samples.rows()) + 1);
  CHECK(weighted[0] == std::vector<std::string>{"weight", "log_likelihood", "x", "y"});
  double sum = 0;
  for (std::size_t i = 1; i < weighted.size(); ++i) {
    REQUIRE(weighted[i].size() == 4);
    sum += std::strtod(weighted[i][0].c_str(), nullptr);  // stod throws on denormals
    CHECK(std::strtod(weighted[i][2].c_str(), nullptr) ==
          r.samples(static_cast<Eigen::Index>(i - 1), 0));
  }
  CHECK(sum == Approx(1.0).epsilon(1e-9));

  const auto equal = read_csv(dir + "/nested/run_equal_weights.csv");
  CHECK(equal[0] == std::vector<std::string>{"x", "y"});
  CHECK(equal.size() == static_cast<std::size_t>(std::floor(r.n_eff)) + 1);

  std::ifstream json(dir + "/nested/run_summary.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Contains("\"log_z\": ") && Contains("\"n_like\": " + std::to_string(r.n_like)) &&
                       Contains("\"name\": \"x\"") &&
                       Contains("\"parnest_version\": \"" + std::string(parnest::version) + "\""));
  // No temporary files are left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/nested"))
    CHECK_THAT(entry.path().string(), !Contains(".tmp-"));
  std::filesystem::remove_all(dir);
}

namespace {
// Whitespace-separated numbers, one vector per line (numpy.loadtxt's view of a file).
std::vector<std::vector<double>> read_table(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::istringstream s(line);
    for (std::string cell; s >> cell;) row.push_back(std::strtod(cell.c_str(), nullptr));
    rows.push_back(row);
  }
  return rows;
}
}  // namespace

TEST_CASE("write() produces GetDist and PolyChord-style files, and quantiles in the summary",
          "[result][output]") {
  const parnest::Result& r = readme_result();
  const auto n = static_cast<std::size_t>(r.samples.rows());
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-getdist").string();
  std::filesystem::remove_all(dir);
  parnest::write(r, dir + "/run");

  const auto chain = read_table(dir + "/run.txt");  // weight, -log L, x, y
  REQUIRE(chain.size() == n);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(chain[i].size() == 4);
    sum += chain[i][0];
    CHECK(chain[i][1] == -r.log_likelihoods[static_cast<Eigen::Index>(i)]);
    CHECK(chain[i][3] == r.samples(static_cast<Eigen::Index>(i), 1));
  }
  CHECK(sum == Approx(1.0).epsilon(1e-9));

  std::ifstream names(dir + "/run.paramnames");
  std::string first, second;
  std::getline(names, first);
  std::getline(names, second);
  CHECK(first == "x\tx");
  CHECK(second == "y\ty");

  // x, y, log L, log L at birth: births are contours below each point, -1e30 for prior draws.
  const auto dead = read_table(dir + "/run_dead-birth.txt");
  REQUIRE(dead.size() == n);
  std::size_t from_prior = 0;
  for (const auto& row : dead) {
    REQUIRE(row.size() == 4);
    CHECK(row[3] < row[2]);
    from_prior += row[3] == -1e30 ? 1 : 0;
  }
  CHECK(from_prior == 300);  // the initial live points

  std::ifstream json(dir + "/run_summary.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Contains("\"options\": {\"n_live\": 300, \"dlogz\": 0.1, ") &&
                       Contains("\"sample\": \"automatic\"") &&
                       Contains("\"quantiles\": {\"0.025\": ") && Contains("\"seed\": 5,"));
  // The median of x is near its mean for this symmetric posterior.
  const auto at = text.find("\"0.5\": ");
  REQUIRE(at != std::string::npos);
  CHECK(std::strtod(text.c_str() + at + 7, nullptr) == Approx(r.mean()[0]).margin(0.05));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the JSON summary writes infinite and NaN numbers as null, which JSON allows",
          "[output]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-json-null").string();
  parnest::Result r = readme_result();
  r.log_z_err = std::numeric_limits<double>::infinity();  // as after a budget stop at once
  r.information = std::numeric_limits<double>::quiet_NaN();
  parnest::write(r, dir + "/run");
  std::ifstream json(dir + "/run_summary.json");
  const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Contains("\"log_z_err\": null,") && Contains("\"information\": null,") &&
                       !Contains("Infinity") && !Contains("NaN"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("write() and a run's checkpoint are no-ops on a non-root MPI rank", "[output]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-nonroot").string();
  std::filesystem::remove_all(dir);
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  ::setenv("OMPI_COMM_WORLD_RANK", "1", 1);
  CHECK_FALSE(parnest::is_root());
  // A pool in this process on rank 1 of a launcher's job: the run does not speak for itself
  // (Pool::session), so it leaves the checkpoint to rank 0's run, and its result the output.
  parnest::SerialPool serial;
  parnest::Sampler<parnest::Sequential> sampler(parnest::reference::gaussian(2).model,
                                                {.n_live = 50});
  const parnest::Result result =
      sampler.run({.pool = serial, .checkpoint = dir + "/run.ckpt", .progress = false});
  CHECK_FALSE(result.writes_output);
  parnest::write(result, dir + "/run");
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK(parnest::is_root());
  CHECK(readme_result().writes_output);  // sampled as a single process
}

TEST_CASE("an unwritable output path is an IoError naming the path", "[output][errors]") {
  CHECK_THROWS_WITH(parnest::write(readme_result(), "/proc/parnest-cannot-write/run"),
                    Contains("/proc/parnest-cannot-write"));
}

TEST_CASE("an output root without a base name is refused, writing nothing", "[output][errors]") {
  const auto dir = std::filesystem::temp_directory_path() / "parnest-no-base-name";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string slash = dir.string() + "/";
  CHECK_THROWS_AS(parnest::write(readme_result(), slash), parnest::ConfigError);
  CHECK_THROWS_WITH(parnest::write(readme_result(), slash),
                    Contains("\"" + slash + "\" has no base name"));
  CHECK_THROWS_AS(parnest::write(readme_result(), ""), parnest::ConfigError);
  CHECK(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the header version matches the CMake project version", "[version]") {
  CHECK(std::string(parnest::version) == PARNEST_CMAKE_VERSION);
}

namespace {
// One CSV line split as RFC 4180 reads it: quoted fields may hold commas and doubled quotes.
std::vector<std::string> rfc4180_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}
std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
}  // namespace

TEST_CASE("names with commas, quotes and spaces give one column each in every output file",
          "[result][output][errors]") {
  parnest::Result r = readme_result();
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-names").string();
  std::filesystem::remove_all(dir);

  r.names = {"mass, solar", "say \"hi\""};
  parnest::write(r, dir + "/run");
  for (const char* file : {"/run.csv", "/run_equal_weights.csv"}) {
    const auto lines = lines_of(dir + file);
    REQUIRE(lines.size() > 1);
    const auto header = rfc4180_fields(lines[0]);
    CHECK(header.size() == rfc4180_fields(lines[1]).size());
    CHECK(header[header.size() - 2] == "mass, solar");
    CHECK(header.back() == "say \"hi\"");
  }
  const auto names = lines_of(dir + "/run.paramnames");
  CHECK(names == std::vector<std::string>{"mass,_solar\tmass, solar", "say_\"hi\"\tsay \"hi\""});

  // Names GetDist would read as one ("x y" becomes x_y) or as derived (a trailing '*').
  r.names = {"x y", "x_y"};
  parnest::write(r, dir + "/run");
  CHECK(lines_of(dir + "/run.paramnames") == std::vector<std::string>{"x_y\tx y", "x_y_1\tx_y"});
  r.names = {"p*", "q"};
  parnest::write(r, dir + "/run");
  CHECK(lines_of(dir + "/run.paramnames") == std::vector<std::string>{"p_\tp*", "q\tq"});

  r.names = {"x", "line\nbreak"};
  CHECK_THROWS_WITH(parnest::write(r, dir + "/bad"),
                    Contains("Result::names[1] = \"line\\nbreak\" holds a control character"));
  CHECK_FALSE(std::filesystem::exists(dir + "/bad.csv"));
  std::filesystem::remove_all(dir);
}
