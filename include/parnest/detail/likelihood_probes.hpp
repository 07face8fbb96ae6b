#pragma once
// A checkpoint's proof that it belongs to this likelihood: a few of its stored points with
// their parameters and log-likelihoods. A resumed run evaluates the model at them again and
// refuses the checkpoint if a value differs: names, options and seed cannot tell a run of a
// changed likelihood from a run of the same one.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "parnest/detail/flat.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/error.hpp"

namespace parnest::detail {

/// One stored point: unit-cube coordinates, parameters (prior(u)) and log L there.
struct Probe {
  std::vector<double> u, theta;
  double log_l = 0.0;

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& p) {
    ar.sized(p.u);
    ar.sized(p.theta);
    ar.value(p.log_l);
  }
};

/// How many points a checkpoint carries: enough to tell two likelihoods apart, few enough to
/// cost nothing on resume.
inline constexpr std::size_t probe_count = 3;

/// The stored points of highest finite log L (ties: the lower index), at most probe_count.
/// `point(i, probe)` fills probe.u and probe.theta of stored point i.
template <class Point>
std::vector<Probe> highest_points(std::span<const double> log_l, Point point) {
  std::vector<std::size_t> best;
  for (std::size_t i = 0; i < log_l.size(); ++i) {
    if (!std::isfinite(log_l[i])) continue;
    auto after =
        std::find_if(best.begin(), best.end(), [&](std::size_t b) { return log_l[i] > log_l[b]; });
    if (after == best.end() && best.size() == probe_count) continue;
    best.insert(after, i);
    if (best.size() > probe_count) best.pop_back();
  }
  std::vector<Probe> out(best.size());
  for (std::size_t j = 0; j < best.size(); ++j) {
    point(best[j], out[j]);
    out[j].log_l = log_l[best[j]];
  }
  return out;
}

/// Row i of a flat row-major array of d columns, copied into `to`.
inline void copy_row(std::vector<double>& to, const std::vector<double>& rows, std::size_t i,
                     std::size_t d) {
  const auto first = rows.begin() + static_cast<std::ptrdiff_t>(i * d);
  to.assign(first, first + static_cast<std::ptrdiff_t>(d));
}

inline std::string joined_values(const std::vector<double>& v) {
  std::string out;
  for (double x : v) out += (out.empty() ? "" : ", ") + text(x);
  return out;
}

/// Equal up to what recompiling the same code may change (a different instruction order).
inline bool same_value(double a, double b) {
  if (a == b) return true;  // also the same infinity
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

/// Evaluates the problem at every probe; throws CheckpointError naming the first point where
/// the prior transform or the log-likelihood now gives another value.
inline void check_probes(const Problem& problem, const std::vector<Probe>& probes,
                         const std::string& path) {
  const std::string start_afresh =
      ". Give another checkpoint file, or resume = false, to start afresh with this model";
  for (const Probe& p : probes) {
    if (p.u.size() != problem.dimension() || p.theta.size() != problem.dimension())
      throw CheckpointError("checkpoint " + path + " holds points of " +
                            std::to_string(p.u.size()) + " parameters, the model has " +
                            std::to_string(problem.dimension()) + start_afresh);
    std::vector<double> theta(p.u.size());
    problem.transform(p.u, theta);
    for (std::size_t c = 0; c < theta.size(); ++c)
      if (!same_value(theta[c], p.theta[c]))
        throw CheckpointError("checkpoint " + path + " was written with another prior: at " +
                              "unit-cube point (" + joined_values(p.u) + ") parameter " +
                              problem.model().names[c] + " was " + text(p.theta[c]) +
                              ", this model's prior gives " + text(theta[c]) + start_afresh);
    const double log_l = problem.log_likelihood(theta);
    if (!same_value(log_l, p.log_l))
      throw CheckpointError("checkpoint " + path + " was written with another likelihood: at " +
                            format_point(problem.model().names, p.theta) + " log L was " +
                            text(p.log_l) + ", this model gives " + text(log_l) + start_afresh);
  }
}

}  // namespace parnest::detail
