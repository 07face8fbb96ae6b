#pragma once
// A validated Model: the dimension is checked against what the prior writes, and every
// evaluation turns a bad likelihood value or a user exception into a parnest::LikelihoodError
// that names the parameter values.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "parnest/detail/instance_id.hpp"
#include "parnest/detail/parameter_names.hpp"
#include "parnest/detail/row_watch.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"
#include "parnest/model.hpp"

namespace parnest::detail {

/// "x = 0.1, y = 2" with full precision, for error messages.
inline std::string format_point(const std::vector<std::string>& names, std::span<const double> v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += (i < names.size() ? names[i] : "theta[" + std::to_string(i) + "]") + " = " + text(v[i]);
  }
  return out;
}

class Problem {
 public:
  /// @throws ConfigError if the model is incomplete or its prior writes a number of values
  /// other than names.size().
  explicit Problem(Model model) : model_(std::move(model)) {
    if (model_.names.empty())
      throw ConfigError("model.names is empty: give one name per parameter");
    check_parameter_names(model_.names, "model.names");
    if (!model_.prior) throw ConfigError("model.prior is not set");
    if (!model_.log_likelihood && !model_.vectorised_log_likelihood)
      throw ConfigError(
          "model.log_likelihood is not set (nor model.vectorised_log_likelihood): give one");
    check_prior_dimension();
  }
  // A copy is a new object to worker processes forked before it existed: it gets a new id.
  Problem(const Problem& other) : model_(other.model_) {}
  Problem& operator=(const Problem&) = delete;

  /// Unique to this object (TaskRecipe::anchor_id of the tasks bound to it).
  std::uint64_t id() const noexcept { return id_; }

  std::size_t dimension() const noexcept { return model_.names.size(); }
  const Model& model() const noexcept { return model_; }

  /// theta = prior(u), then the log-likelihood at theta: finite or -infinity.
  /// @throws LikelihoodError if the prior or likelihood throws, or log L is NaN or +inf.
  double evaluate(std::span<const double> u, std::span<double> theta) const {
    transform(u, theta);
    return log_likelihood(theta);
  }

  /// theta = prior(u). @throws LikelihoodError if the prior throws or writes a NaN (which the
  /// likelihood would otherwise be blamed for).
  void transform(std::span<const double> u, std::span<double> theta) const {
    try {
      model_.prior(u, theta);
    } catch (const std::exception& e) {
      fail("the prior transform threw \"" + std::string(e.what()) + "\" at unit-cube point ", u);
    } catch (...) {
      fail("the prior transform threw a non-standard exception at unit-cube point ", u);
    }
    for (std::size_t i = 0; i < theta.size(); ++i)
      if (std::isnan(theta[i]))
        fail("the prior transform wrote NaN for parameter \"" + model_.names[i] +
                 "\" at unit-cube point ",
             u);
  }

  /// The log-likelihood at theta: model.log_likelihood, or if only the vectorised one is
  /// given, that with one row. @throws LikelihoodError if it throws or is NaN or +inf.
  double log_likelihood(std::span<const double> theta) const {
    if (!model_.log_likelihood) {
      const RowMatrix one = Eigen::Map<const RowMatrix>(theta.data(), 1, std::ssize(theta));
      double log_l;
      log_likelihoods(one, std::span<double>(&log_l, 1));
      return log_l;
    }
    double log_l;
    try {
      const RowWatch::Call watched(active_row_watch.load(std::memory_order_relaxed), theta, 1);
      log_l = model_.log_likelihood(theta);
    } catch (const std::exception& e) {
      fail("the log-likelihood threw \"" + std::string(e.what()) + "\" at ", theta);
    } catch (...) {
      fail("the log-likelihood threw a non-standard exception at ", theta);
    }
    check("the log-likelihood", log_l, theta);
    return log_l;
  }

  /// True if the model has a vectorised log-likelihood, which then serves every batch of
  /// independent points.
  bool vectorised() const noexcept { return static_cast<bool>(model_.vectorised_log_likelihood); }
  /// The most rows per vectorised call (SIZE_MAX: no limit).
  std::size_t max_vectorised_rows() const noexcept {
    return model_.max_vectorised_rows > 0 ? model_.max_vectorised_rows : SIZE_MAX;
  }

  /// The log-likelihoods of the rows of theta through model.vectorised_log_likelihood.
  /// @throws LikelihoodError if it throws (naming the first row and the number of rows), or
  /// leaves a value unset, NaN or +inf (naming that row).
  void log_likelihoods(const RowMatrix& theta, std::span<double> log_l) const {
    const double unset = std::bit_cast<double>(unset_bits);
    std::fill(log_l.begin(), log_l.end(), unset);
    auto row = [&](Eigen::Index i) {
      return std::span<const double>(theta.row(i).data(), static_cast<std::size_t>(theta.cols()));
    };
    // Built only on failure: this runs once per block.
    auto threw = [&](const std::string& what) {
      fail("the vectorised log-likelihood threw " + what + " on a block of " +
               std::to_string(theta.rows()) + " points, the first at ",
           row(0));
    };
    try {
      const RowWatch::Call watched(active_row_watch.load(std::memory_order_relaxed), row(0),
                                   static_cast<std::size_t>(theta.rows()));
      model_.vectorised_log_likelihood(theta, log_l);
    } catch (const std::exception& e) {
      threw("\"" + std::string(e.what()) + "\"");
    } catch (...) {
      threw("a non-standard exception");
    }
    for (Eigen::Index i = 0; i < theta.rows(); ++i) {
      if (std::bit_cast<std::uint64_t>(log_l[static_cast<std::size_t>(i)]) == unset_bits)
        fail("the vectorised log-likelihood left log_l[" + std::to_string(i) + "] of " +
                 std::to_string(theta.rows()) + " unset, at ",
             row(i));
      check("the vectorised log-likelihood", log_l[static_cast<std::size_t>(i)], row(i));
    }
  }

 private:
  // A NaN no arithmetic produces: a value the vectorised likelihood did not write.
  static constexpr std::uint64_t unset_bits = 0x7ff4'0000'dead'beefULL;

  void check(const char* what, double log_l, std::span<const double> theta) const {
    if (std::isnan(log_l) || log_l == INFINITY)
      fail(std::string(what) + " returned " + (std::isnan(log_l) ? "NaN" : "+inf") + " at ", theta);
  }

  [[noreturn]] void fail(const std::string& what, std::span<const double> point) const {
    throw LikelihoodError(what + format_point(model_.names, point),
                          std::vector<double>(point.begin(), point.end()));
  }

  // Calls the prior at the centre of the cube with theta in a larger buffer filled with a
  // marker NaN: a value left unset or one written past the end shows a dimension mismatch.
  void check_prior_dimension() const {
    const std::size_t d = dimension();
    constexpr std::uint64_t marker_bits = 0x7ff4'dead'beef'cafeULL;
    const double marker = std::bit_cast<double>(marker_bits);
    const std::size_t guard = 64;
    std::vector<double> u(d, 0.5), theta(d + guard, marker);
    model_.prior(u, std::span<double>(theta.data(), d));
    auto is_marker = [&](double x) { return std::bit_cast<std::uint64_t>(x) == marker_bits; };
    std::size_t written = 0;
    for (std::size_t i = 0; i < d; ++i) written += is_marker(theta[i]) ? 0 : 1;
    std::size_t beyond = 0;
    for (std::size_t i = d; i < d + guard; ++i)
      if (!is_marker(theta[i])) beyond = i + 1;
    if (beyond > 0)
      throw ConfigError("the prior wrote " + std::to_string(beyond) +
                        " values but model.names has " + std::to_string(d) +
                        ": give one name per parameter the prior writes");
    if (written < d)
      throw ConfigError("model.names has " + std::to_string(d) +
                        " entries but the prior wrote only " + std::to_string(written) +
                        " of them at u = 0.5: give one name per parameter");
    for (std::size_t i = 0; i < d; ++i)
      if (!std::isfinite(theta[i]))
        throw ConfigError("the prior maps the centre of the unit cube (u = 0.5) to " +
                          format_point(model_.names, std::span<const double>(theta.data(), d)) +
                          ": parameter \"" + model_.names[i] + "\" is not finite");
  }

  Model model_;
  std::uint64_t id_ = next_instance_id();
};

}  // namespace parnest::detail
