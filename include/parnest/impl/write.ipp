#pragma once
// The output files (io/write.hpp): compiled once into libparnest (src/write.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY).
#include "parnest/detail/inline.hpp"
#include "parnest/io/write.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "parnest/detail/atomic_file.hpp"
#include "parnest/detail/parameter_names.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"
#include "parnest/version.hpp"

namespace parnest {
namespace detail::write_impl {

// For the CSV and text files: numpy, GetDist and anesthetic read NaN and Infinity.
PARNEST_INLINE std::string number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return detail::text(x);
}

// JSON has no NaN or infinity (jq and JSON.parse refuse them): null, as nlohmann::json writes
// them.
PARNEST_INLINE std::string json_number(double x) {
  return std::isfinite(x) ? detail::text(x) : "null";
}

PARNEST_INLINE std::string json_string(const std::string& s) {
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

// An option value: a JSON number when it reads as one, else a string.
PARNEST_INLINE std::string json_value(const std::string& value) {
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  const bool numeric = !value.empty() && end == value.c_str() + value.size() &&
                       value.find_first_of("nN") == std::string::npos;  // not nan or inf
  return numeric ? value : json_string(value);
}

PARNEST_INLINE std::string csv_row(const Eigen::MatrixXd& m, Eigen::Index row) {
  std::string line;
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    if (c > 0) line += ',';
    line += number(m(row, c));
  }
  return line;
}

// A CSV header field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote
// or edge spaces, so that pandas, numpy and spreadsheets read one column per parameter.
PARNEST_INLINE std::string csv_field(const std::string& name) {
  const bool plain =
      name.find_first_of(",\"") == std::string::npos && name.front() != ' ' && name.back() != ' ';
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

PARNEST_INLINE std::string join_names(const std::vector<std::string>& names) {
  std::string line;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(names[i]);
  }
  return line;
}

// Space-separated numbers, the layout GetDist, anesthetic and numpy.loadtxt read.
PARNEST_INLINE std::string text_row(std::initializer_list<double> leading, const Eigen::MatrixXd& m,
                                    Eigen::Index row, std::initializer_list<double> trailing = {}) {
  std::string line;
  auto add = [&](double x) {
    if (!line.empty()) line += ' ';
    line += number(x);
  };
  for (double x : leading) add(x);
  for (Eigen::Index c = 0; c < m.cols(); ++c) add(m(row, c));
  for (double x : trailing) add(x);
  return line + "\n";
}

// GetDist parameter names allow no spaces, and a trailing '*' marks a derived parameter: both
// become underscores, with the index appended where that makes two names equal. The label
// (the rest of the line) keeps the name as given.
PARNEST_INLINE std::string paramnames(const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string id = names[i];
    for (char& c : id)
      if (c == ' ') c = '_';
    if (id.back() == '*') id.back() = '_';
    while (std::find(ids.begin(), ids.end(), id) != ids.end()) id += "_" + std::to_string(i);
    ids.push_back(id);
    out += id + "\t" + names[i] + "\n";
  }
  return out;
}

// The weighted quantile q of column `c`: the smallest value whose cumulative weight reaches q.
PARNEST_INLINE double quantile(const Result& r, Eigen::Index c, double q) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(r.samples.rows()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<Eigen::Index>(i);
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return r.samples(a, c) < r.samples(b, c); });
  double cumulative = 0.0;
  for (Eigen::Index i : order) {
    cumulative += std::exp(r.log_weights[i]);
    if (cumulative >= q) return r.samples(i, c);
  }
  return order.empty() ? NAN : r.samples(order.back(), c);
}

// PolyChord writes -1e30 for "born from the prior"; anesthetic expects that, not -inf.
PARNEST_INLINE double birth_contour(double log_l) {
  return std::isinf(log_l) ? -1e30 : log_l;
}

}  // namespace detail::write_impl

PARNEST_INLINE void write(const Result& result, const std::string& root) {
  using namespace detail::write_impl;
  // Checked on every rank, so that all of them throw alike.
  if (std::filesystem::path(root).filename().empty())
    throw ConfigError("write(): the output root \"" + root +
                      "\" has no base name, so the files would be hidden ones such as \"" + root +
                      ".csv\": give one, e.g. \"" + root + "run\"");
  detail::check_parameter_names(result.names, "Result::names");
  if (!result.writes_output) return;
  std::string weighted = "weight,log_likelihood," + join_names(result.names) + "\n";
  for (Eigen::Index i = 0; i < result.samples.rows(); ++i)
    weighted += number(std::exp(result.log_weights[i])) + "," + number(result.log_likelihoods[i]) +
                "," + csv_row(result.samples, i) + "\n";
  detail::write_atomically(root + ".csv", weighted);

  const Eigen::MatrixXd draws = result.equal_weight_samples(0, result.seed);
  std::string equal = join_names(result.names) + "\n";
  for (Eigen::Index i = 0; i < draws.rows(); ++i) equal += csv_row(draws, i) + "\n";
  detail::write_atomically(root + "_equal_weights.csv", equal);

  // GetDist/anesthetic chain: weight, -log L, parameters; and the parameter names.
  std::string chain;
  for (Eigen::Index i = 0; i < result.samples.rows(); ++i)
    chain +=
        text_row({std::exp(result.log_weights[i]), -result.log_likelihoods[i]}, result.samples, i);
  detail::write_atomically(root + ".txt", chain);
  detail::write_atomically(root + ".paramnames", paramnames(result.names));

  // PolyChord's dead points with their birth contours: parameters, log L, log L at birth.
  if (result.log_likelihood_births.size() == result.samples.rows()) {
    std::string dead;
    for (Eigen::Index i = 0; i < result.samples.rows(); ++i)
      dead += text_row({}, result.samples, i,
                       {result.log_likelihoods[i], birth_contour(result.log_likelihood_births[i])});
    detail::write_atomically(root + "_dead-birth.txt", dead);
  }

  const Eigen::VectorXd mean = result.mean(), sd = result.stddev();
  std::ostringstream json;
  json << "{\n"
       << "  \"parnest_version\": " << json_string(version) << ",\n"
       << "  \"sampler\": " << json_string(result.sampler) << ",\n"
       << "  \"pool\": " << json_string(result.pool) << ",\n"
       << "  \"seed\": " << result.seed << ",\n"
       << "  \"log_z\": " << json_number(result.log_z) << ",\n"
       << "  \"log_z_err\": " << json_number(result.log_z_err) << ",\n"
       << "  \"information\": " << json_number(result.information) << ",\n"
       << "  \"n_like\": " << result.n_like << ",\n"
       << "  \"n_eff\": " << json_number(result.n_eff) << ",\n"
       << "  \"n_iterations\": " << result.n_iterations << ",\n"
       << "  \"wall_seconds\": " << json_number(result.wall_seconds) << ",\n"
       << "  \"options\": {";
  for (std::size_t i = 0; i < result.options.size(); ++i)
    json << (i > 0 ? ", " : "") << json_string(result.options[i].first) << ": "
         << json_value(result.options[i].second);
  json << "},\n"
       << "  \"warnings\": [";
  for (std::size_t i = 0; i < result.warnings.size(); ++i)
    json << (i > 0 ? ", " : "") << json_string(result.warnings[i]);
  json << "],\n"
       << "  \"parameters\": [";
  constexpr double levels[] = {0.025, 0.16, 0.5, 0.84, 0.975};
  for (std::size_t i = 0; i < result.names.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    json << (i > 0 ? ",\n" : "\n") << "    {\"name\": " << json_string(result.names[i])
         << ", \"mean\": " << json_number(mean[k]) << ", \"stddev\": " << json_number(sd[k])
         << ", \"quantiles\": {";
    for (std::size_t q = 0; q < std::size(levels); ++q)
      json << (q > 0 ? ", " : "") << "\"" << detail::text(levels[q])
           << "\": " << json_number(quantile(result, k, levels[q]));
    json << "}}";
  }
  json << "\n  ]\n}\n";
  detail::write_atomically(root + "_summary.json", json.str());
}

}  // namespace parnest
