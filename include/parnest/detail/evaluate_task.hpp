#pragma once
// The plainest task: the likelihood at given unit-cube points. Backends that choose their
// points themselves (Batch, Smc) send whole batches of them through the pool with it; a
// vectorised likelihood gets them in blocks.

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "parnest/detail/problem.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

/// Input row: u (d). Output row: theta (d), log L.
class EvaluateTask final : public Task {
 public:
  explicit EvaluateTask(const Problem& problem) : problem_(problem) {}

  static std::size_t output_width(std::size_t d) { return d + 1; }

  void run(std::span<const double> in, std::span<double> out) const override {
    // A vectorised likelihood serves every point, also single ones, so that results do not
    // depend on how a pool cuts a batch into blocks.
    if (problem_.vectorised()) return run_block(in, out, 1);
    const std::size_t d = problem_.dimension();
    out[d] = problem_.evaluate(in, out.subspan(0, d));
  }

  /// All rows' prior transforms, then one call of the vectorised likelihood.
  void run_block(std::span<const double> in, std::span<double> out,
                 std::size_t rows) const override {
    if (!problem_.vectorised()) return Task::run_block(in, out, rows);
    const std::size_t d = problem_.dimension();
    RowMatrix theta(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(d));
    for (std::size_t i = 0; i < rows; ++i)
      problem_.transform(in.subspan(i * d, d),
                         std::span<double>(theta.row(static_cast<Eigen::Index>(i)).data(), d));
    std::vector<double> log_l(rows);
    problem_.log_likelihoods(theta, log_l);
    for (std::size_t i = 0; i < rows; ++i) {
      const double* from = theta.row(static_cast<Eigen::Index>(i)).data();
      std::copy(from, from + d, out.begin() + static_cast<std::ptrdiff_t>(i * (d + 1)));
      out[i * (d + 1) + d] = log_l[i];
    }
  }

  std::size_t block_rows() const override {
    return problem_.vectorised() ? problem_.max_vectorised_rows() : 1;
  }

  TaskRecipe recipe() const override {
    (void)registered;  // odr-used here, so that every program that samples registers the kind
    return {&rebuild, &problem_, problem_.id(), {}, kind};
  }

  std::string describe_row(std::span<const double> in) const override {
    return "the likelihood at the unit-cube point " + format_point(problem_.model().names, in);
  }

 private:
  static std::unique_ptr<Task> rebuild(const void* problem, std::span<const double>) {
    return std::make_unique<EvaluateTask>(*static_cast<const Problem*>(problem));
  }
  static constexpr const char* kind = "parnest::evaluate";
  static const bool registered;

  const Problem& problem_;
};

inline const bool EvaluateTask::registered = register_task_kind(kind, &rebuild);

}  // namespace parnest::detail
