#pragma once
// A model whose likelihood is given only in vectorised form, for tests that must get the
// one-point model's numbers to the last bit.
#include <cstddef>
#include <functional>
#include <span>

#include <parnest/model.hpp>

namespace parnest::testing {

/// `model` with its log-likelihood moved into a vectorised one that evaluates the rows one by
/// one through the original function (so the numbers are the same, bit for bit), telling
/// `on_block` each call's number of rows.
inline Model row_by_row(Model model, std::function<void(std::size_t rows)> on_block,
                        std::size_t max_rows = 0) {
  model.vectorised_log_likelihood = [scalar = model.log_likelihood, on_block](
                                        const RowMatrix& theta, std::span<double> log_l) {
    on_block(static_cast<std::size_t>(theta.rows()));
    for (Eigen::Index i = 0; i < theta.rows(); ++i)
      log_l[static_cast<std::size_t>(i)] = scalar(
          std::span<const double>(theta.row(i).data(), static_cast<std::size_t>(theta.cols())));
  };
  model.log_likelihood = nullptr;
  model.max_vectorised_rows = max_rows;
  return model;
}

}  // namespace parnest::testing
