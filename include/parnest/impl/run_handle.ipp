#pragma once
// detail::RunHandle's members: instantiated once per backend in libparnest
// (src/<backend>.cpp), or included by detail/run_handle.hpp in header-only mode. `Run` must be
// complete where they are instantiated.

#include <utility>

#include "parnest/detail/run_handle.hpp"

namespace parnest::detail {

template <class Run>
RunHandle<Run>::RunHandle(std::unique_ptr<Run> run) : run_(std::move(run)) {}
template <class Run>
RunHandle<Run>::~RunHandle() = default;
template <class Run>
RunHandle<Run>::RunHandle(RunHandle&&) noexcept = default;
template <class Run>
RunHandle<Run>& RunHandle<Run>::operator=(RunHandle&&) noexcept = default;

template <class Run>
bool RunHandle<Run>::step(Pool& pool) {
  return run_->step(pool);
}
template <class Run>
Progress RunHandle<Run>::progress() const {
  return run_->progress();
}
template <class Run>
std::size_t RunHandle<Run>::n_like() const noexcept {
  return run_->n_like();
}
template <class Run>
void RunHandle<Run>::save(FlatWriter& out) const {
  out.object(std::as_const(*run_));
}
template <class Run>
std::vector<Probe> RunHandle<Run>::probes() const {
  return run_->probes();
}
template <class Run>
void RunHandle<Run>::load(FlatReader& in) {
  in.object(*run_);
}
template <class Run>
Result RunHandle<Run>::result() const {
  return run_->result();
}
template <class Run>
std::vector<std::string> RunHandle<Run>::take_notes() {
  return run_->take_notes();
}
template <class Run>
std::optional<std::string> RunHandle<Run>::stop_early() {
  return run_->stop_early();
}

}  // namespace parnest::detail
