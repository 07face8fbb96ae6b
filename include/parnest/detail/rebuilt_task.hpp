#pragma once
// A task rebuilt from its context in another process (a forked worker, an MPI rank). The
// original task refers to state its backend owns (a bound, training data); the rebuilt one
// owns a copy, `Owned`, read by Owned's serialize from the context the original wrote, and runs
// a task of type T made over it.

#include <memory>
#include <span>
#include <string>

#include "parnest/detail/flat.hpp"
#include "parnest/pool/pool.hpp"

namespace parnest::detail {

template <class Owned, class T>
class RebuiltTask final : public Task {
 public:
  /// Reads the context from `in` (all of it) and makes the task with `make(owned)`.
  template <class Make>
  RebuiltTask(FlatReader& in, Make make) : owned_(in.read<Owned>()), task_(make(owned_)) {
    in.expect_end();
  }
  void run(std::span<const double> in, std::span<double> out) const override { task_.run(in, out); }
  std::string describe_row(std::span<const double> in) const override {
    return task_.describe_row(in);
  }

 private:
  Owned owned_;  // before task_, which refers to it
  T task_;
};

}  // namespace parnest::detail
