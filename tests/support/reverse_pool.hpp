#pragma once
// A user pool for determinism tests.
#include <string>

#include <parnest/pool/pool.hpp>

namespace parnest::testing {

// A user pool that runs rows in reverse order: any dependence on evaluation order shows up.
class ReversePool final : public Pool {
 public:
  std::size_t size() const noexcept override { return 1; }
  void map(const Task& task, const RowMatrix& in, RowMatrix& out) override {
    for (Eigen::Index r = in.rows() - 1; r >= 0; --r)
      task.run(std::span<const double>(in.row(r).data(), in.cols()),
               std::span<double>(out.row(r).data(), out.cols()));
    ++batches;
  }
  std::string describe() const override { return "reverse"; }
  bool runs_threads_concurrently() const noexcept override { return false; }
  int batches = 0;
};

}  // namespace parnest::testing
