#pragma once
// What the three public backends share: their run's state behind a pointer (its type is
// complete only in libparnest, or in header-only mode) and the members Sampler calls, which
// forward to it. Compiled with each backend (src/<backend>.cpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parnest/detail/flat.hpp"
#include "parnest/detail/likelihood_probes.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"

namespace parnest::detail {

/// The run of a backend whose algorithm is the class `Run` (detail::SequentialRun, ...).
template <class Run>
class RunHandle {
 public:
  /// Runs one iteration (one batch of likelihood calls) through `pool`. Returns false once
  /// the run has finished.
  bool step(Pool& pool);
  /// Where the run stands.
  Progress progress() const;
  /// Likelihood calls so far: progress().n_like without the rest of the snapshot, cheap enough
  /// for the core to look at after every batch (RunOptions::max_calls, max_seconds).
  std::size_t n_like() const noexcept;
  /// Everything that changes during a run, bit for bit: a backend constructed with the same
  /// problem, options and seed and then load()ed continues exactly as this one would.
  void save(FlatWriter& out) const;
  /// A few stored points with their log L, by which a resumed run checks that the likelihood
  /// is the one the checkpoint was written with.
  std::vector<Probe> probes() const;
  /// Restores what save() wrote.
  void load(FlatReader& in);
  /// The run's evidence, samples and diagnostics.
  Result result() const;
  /// Notes the run has for the user since the last call (a slow exploration, ...), to be
  /// printed while it goes on; empty for runs that have none.
  std::vector<std::string> take_notes();
  /// Ends the run now (RunOptions::max_calls or max_seconds), so that result() returns what it
  /// has. Returns what the result misses, for the warning, or nothing if the run had already
  /// finished.
  std::optional<std::string> stop_early();

 protected:
  explicit RunHandle(std::unique_ptr<Run> run);
  ~RunHandle();
  RunHandle(RunHandle&&) noexcept;
  RunHandle& operator=(RunHandle&&) noexcept;

 private:
  std::unique_ptr<Run> run_;
};

}  // namespace parnest::detail

#ifdef PARNEST_HEADER_ONLY
#include "parnest/impl/run_handle.ipp"
#endif
