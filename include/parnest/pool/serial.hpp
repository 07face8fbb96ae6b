#pragma once
/// @file pool/serial.hpp
/// Runs every row on the calling thread, in order.

#include "parnest/pool/pool.hpp"

namespace parnest {

/// The pool of one worker: the calling thread. A task that takes rows in blocks (a vectorised
/// likelihood) gets them task.block_rows() at a time.
class SerialPool final : public Pool {
 public:
  std::size_t size() const noexcept override { return 1; }
  void map(const Task& task, const RowMatrix& input, RowMatrix& output) override {
    detail::FirstError errors;
    detail::run_rows_here(task, input, output, errors);
    errors.rethrow_if_any();
  }
  std::string describe() const override { return "serial"; }
  bool runs_threads_concurrently() const noexcept override { return false; }
};

}  // namespace parnest
