#pragma once
// The plainest task: the likelihood at given unit-cube points. Backends that choose their
// points themselves (Batch) send whole batches of them through the pool with it.

#include <memory>
#include <span>
#include <string>

#include "parnest/detail/problem.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

/// Input row: u (d). Output row: theta (d), log L.
class EvaluateTask final : public Task {
 public:
  explicit EvaluateTask(const Problem& problem) : problem_(problem) {}

  static std::size_t output_width(std::size_t d) { return d + 1; }

  void run(std::span<const double> in, std::span<double> out) const override {
    const std::size_t d = problem_.dimension();
    out[d] = problem_.evaluate(in, out.subspan(0, d));
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
