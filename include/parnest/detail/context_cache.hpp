#pragma once
// The task context that pools over other processes (ProcessPool, MpiPool) last sent, with a
// version number: a worker keeps the task it rebuilt while the version stays, so a context is
// sent again only when it changed (Sequential's bound changes every few batches, its rows
// every batch).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

#include "parnest/pool/pool.hpp"

namespace parnest::detail {

class ContextCache {
 public:
  /// Takes the recipe of the next batch; true if it differs from the last one, bit for bit
  /// (the version then goes up and the workers need it).
  bool update(TaskRecipe next) {
    if (version_ > 0 && same(next, recipe_)) return false;
    recipe_ = std::move(next);
    ++version_;
    return true;
  }
  /// After a run: its workers forgot their task, so the next batch sends its context again.
  void forget() { recipe_ = TaskRecipe{}; }

  /// Of the current recipe; 0 before the first.
  std::uint64_t version() const noexcept { return version_; }
  const TaskRecipe& recipe() const noexcept { return recipe_; }

 private:
  static bool same(const TaskRecipe& a, const TaskRecipe& b) {
    return a.rebuild == b.rebuild && a.anchor == b.anchor && a.anchor_id == b.anchor_id &&
           a.kind == b.kind &&
           std::equal(a.context.begin(), a.context.end(), b.context.begin(), b.context.end(),
                      [](double x, double y) {
                        return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
                      });
  }
  TaskRecipe recipe_;
  std::uint64_t version_ = 0;
};

}  // namespace parnest::detail
