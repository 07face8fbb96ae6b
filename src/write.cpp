#include "parnest/io/write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include "parnest/env.hpp"
#include "parnest/error.hpp"
#include "parnest/version.hpp"

namespace parnest {
namespace {

// Write to a temporary file beside the target, fsync, then rename: readers see the old file
// or the complete new one, never a partial one.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::string tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError("cannot write " + tmp + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot flush " + tmp + " to disk: " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot rename " + tmp + " to " + path.string() + ": " + std::strerror(err));
  }
}

std::string number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string csv_row(const Eigen::MatrixXd& m, Eigen::Index row) {
  std::string line;
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    if (c > 0) line += ',';
    line += number(m(row, c));
  }
  return line;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string line;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) line += ',';
    line += names[i];
  }
  return line;
}

}  // namespace

void write(const Result& result, const std::string& root) {
  if (!is_root()) return;
  const std::filesystem::path base(root);
  if (base.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(base.parent_path(), ec);
    if (ec)
      throw IoError("cannot create directory " + base.parent_path().string() + ": " + ec.message());
  }

  std::string weighted = "weight,log_likelihood," + join_names(result.names) + "\n";
  for (Eigen::Index i = 0; i < result.samples.rows(); ++i)
    weighted += number(std::exp(result.log_weights[i])) + "," + number(result.log_likelihoods[i]) +
                "," + csv_row(result.samples, i) + "\n";
  write_atomically(root + ".csv", weighted);

  const Eigen::MatrixXd draws = result.equal_weight_samples(0, result.seed);
  std::string equal = join_names(result.names) + "\n";
  for (Eigen::Index i = 0; i < draws.rows(); ++i) equal += csv_row(draws, i) + "\n";
  write_atomically(root + "_equal_weights.csv", equal);

  const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
  std::ostringstream json;
  json << "{\n"
       << "  \"parnest_version\": " << json_string(version) << ",\n"
       << "  \"sampler\": " << json_string(result.sampler) << ",\n"
       << "  \"pool\": " << json_string(result.pool) << ",\n"
       << "  \"seed\": " << result.seed << ",\n"
       << "  \"log_z\": " << number(result.log_z) << ",\n"
       << "  \"log_z_err\": " << number(result.log_z_err) << ",\n"
       << "  \"information\": " << number(result.information) << ",\n"
       << "  \"n_like\": " << result.n_like << ",\n"
       << "  \"n_eff\": " << number(result.n_eff) << ",\n"
       << "  \"n_iterations\": " << result.n_iterations << ",\n"
       << "  \"wall_seconds\": " << number(result.wall_seconds) << ",\n"
       << "  \"parameters\": [";
  for (std::size_t i = 0; i < result.names.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    json << (i > 0 ? ",\n" : "\n") << "    {\"name\": " << json_string(result.names[i])
         << ", \"mean\": " << number(mean[k]) << ", \"stddev\": " << number(sd[k]) << "}";
  }
  json << "\n  ]\n}\n";
  write_atomically(root + "_summary.json", json.str());
}

}  // namespace parnest
