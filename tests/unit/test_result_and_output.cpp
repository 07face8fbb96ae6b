// The result's derived quantities and the files write() produces: parse them back.
#include <catch2/catch.hpp>

#include <parnest/parnest.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
                       Contains("\"name\": \"x\"") && Contains("\"parnest_version\": \"0.1.0\""));
  // No temporary files are left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/nested"))
    CHECK_THAT(entry.path().string(), !Contains(".tmp-"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("write() is a no-op on a non-root MPI rank", "[output]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "parnest-nonroot").string();
  std::filesystem::remove_all(dir);
  const parnest::Result& result = readme_result();  // sampled as a single process
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  ::setenv("OMPI_COMM_WORLD_RANK", "1", 1);
  CHECK_FALSE(parnest::is_root());
  parnest::write(result, dir + "/run");
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK(parnest::is_root());
}

TEST_CASE("an unwritable output path is an IoError naming the path", "[output][errors]") {
  CHECK_THROWS_WITH(parnest::write(readme_result(), "/proc/parnest-cannot-write/run"),
                    Contains("/proc/parnest-cannot-write"));
}

TEST_CASE("the header version matches the CMake project version", "[version]") {
  CHECK(std::string(parnest::version) == PARNEST_CMAKE_VERSION);
}
