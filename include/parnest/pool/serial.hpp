#pragma once
/// @file pool/serial.hpp
/// Runs every row on the calling thread, in order.

#include "parnest/pool/pool.hpp"

namespace parnest {

/// The pool of one worker: the calling thread.
class SerialPool final : public Pool {
 public:
  std::size_t size() const noexcept override { return 1; }
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override {
    for (Eigen::Index row = 0; row < input.rows(); ++row)
      task.run(std::span<const double>(input.row(row).data(), input.cols()),
               std::span<double>(output.row(row).data(), output.cols()));
  }
  std::string describe() const override { return "serial"; }
  bool runs_threads_concurrently() const noexcept override { return false; }
};

}  // namespace parnest
