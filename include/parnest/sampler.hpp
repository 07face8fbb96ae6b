#pragma once
/// @file sampler.hpp
/// The core: runs a backend (the algorithm) through a pool (the parallelism).

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parnest/detail/checkpoint.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/interrupts.hpp"
#include "parnest/detail/likelihood_probes.hpp"
#include "parnest/detail/problem.hpp"
#include "parnest/detail/run_log.hpp"
#include "parnest/detail/select_pool.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/env.hpp"
#include "parnest/error.hpp"
#include "parnest/model.hpp"
#include "parnest/options.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"

#ifdef PARNEST_HAVE_MPI
// A program that links parnest::mpi runs launches with several ranks on MPI.
#include "parnest/detail/mpi_registration.hpp"
#endif

namespace parnest {

/// What Sampler needs of an algorithm: options it validates, a constructor from the problem,
/// one iteration at a time through a pool, and the result at the end.
template <class B>
concept Backend = requires(B backend, const B& done, Pool& pool, const typename B::Options& options,
                           std::size_t dimension, detail::FlatWriter& writer,
                           detail::FlatReader& reader) {
  {B::validate(options, dimension)};
  { backend.step(pool) } -> std::same_as<bool>;
  { done.result() } -> std::same_as<Result>;
  { B::name } -> std::convertible_to<const char*>;
  { done.progress() } -> std::same_as<Progress>;
  { done.n_like() } -> std::same_as<std::size_t>;
  {
    B::describe(options, dimension)
    } -> std::same_as<std::vector<std::pair<std::string, std::string>>>;
  {done.save(writer)};
  { done.probes() } -> std::same_as<std::vector<detail::Probe>>;
  { backend.take_notes() } -> std::same_as<std::vector<std::string>>;
  { backend.stop_early() } -> std::same_as<std::optional<std::string>>;
  {backend.load(reader)};
};
// (And a constructor B(const detail::Problem&, const B::Options&, std::uint64_t seed), which
// parnest's backends keep private to their friend Sampler<B>.)

/// Samples a model's posterior and computes its evidence with the algorithm `B`
/// (parnest::Sequential, ...).
///
/// @code
/// parnest::Sampler<parnest::Sequential> sampler(model, {.n_live = 500});
/// parnest::Result result = sampler.run({.ncores = 2, .seed = 42});
/// @endcode
template <Backend B>
class Sampler {
 public:
  /// @throws ConfigError if the model is incomplete, its prior writes a number of values
  /// other than names.size(), or an option is out of range.
  explicit Sampler(Model model, typename B::Options options = {});

  /// Runs to completion (or resumes from RunOptions::checkpoint and then completes). Can be
  /// called several times (with different seeds, say).
  /// @throws ConfigError for contradictory run options; LikelihoodError when the likelihood
  /// throws or returns NaN/+inf (naming the point); SamplerError when the sampler cannot
  /// make progress; CheckpointError for a checkpoint that cannot be resumed; Interrupted on
  /// SIGINT/SIGTERM or RunOptions::stop (after writing the checkpoint).
  ///
  /// Under an MPI launcher (or with an MpiPool), every rank calls run(): rank 0 runs the
  /// algorithm and the others evaluate its batches; all of them return the same Result, or
  /// throw the same exception.
  Result run(const RunOptions& run_options = {});

  /// The backend options this sampler was built with.
  const typename B::Options& options() const noexcept { return options_; }

 private:
  Result lead(Pool& pool, const RunOptions& run_options, const detail::RowWatch& watch,
              detail::RunLog& log, std::chrono::steady_clock::time_point start, bool speaks);
  static std::optional<std::string> spent(const RunOptions& o, const B& backend,
                                          std::chrono::steady_clock::time_point start);
  static void check(const RunOptions& o);
  static Progress with_name(Progress p);
  static void save(const B& backend, const std::string& path, const detail::RunIdentity& id,
                   bool speaks);
  bool resume(B& backend, const RunOptions& o, const detail::RunIdentity& id) const;
  [[noreturn]] static void stop(const B& backend, const RunOptions& o,
                                const detail::RunIdentity& id, const detail::Interrupt& why,
                                bool speaks);

  detail::Problem problem_;
  typename B::Options options_;
  std::shared_ptr<Pool> chosen_pool_;  // the pool run() chose last; its workers are reused
};

// The members are defined out of the class, so that they are not inline: the standard lets a
// compiler instantiate an inline member of an `extern template` for inlining, so in-class
// definitions could still be compiled in a user's program. libparnest has them
// (src/<backend>.cpp).

template <Backend B>
Sampler<B>::Sampler(Model model, typename B::Options options)
    : problem_(std::move(model)), options_(options) {
  B::validate(options_, problem_.dimension());
}

template <Backend B>
Result Sampler<B>::run(const RunOptions& run_options) {
  const auto start = std::chrono::steady_clock::now();
  check(run_options);
  const std::shared_ptr<Pool> pool =
      detail::select_pool(run_options, problem_.model(), detect_environment(), chosen_pool_);
  if (run_options.pool.empty()) chosen_pool_ = pool;
  detail::RunLog log(run_options.logger, run_options.progress, run_options.progress_every,
                     run_options.on_progress);
  const detail::RowWatch watch(
      run_options.row_timeout,
      [this](std::span<const double> theta) {
        return detail::format_point(problem_.model().names, theta);
      },
      [&log](const std::string& warning) { log.local_warning(warning); });
  return pool->session(
      {.lead = [&](bool speaks) { return lead(*pool, run_options, watch, log, start, speaks); },
       .anchor = &problem_,
       .handle_signals = run_options.handle_signals});
}

template <Backend B>
Result Sampler<B>::lead(Pool& pool, const RunOptions& run_options, const detail::RowWatch& watch,
                        detail::RunLog& log, std::chrono::steady_clock::time_point start,
                        bool speaks) {
  log.speak(speaks);
  B backend(problem_, options_, run_options.seed);
  const detail::RunIdentity identity{B::name, problem_.model().names,
                                     B::describe(options_, problem_.dimension()), run_options.seed};
  // An unwritable location fails the run now, before its work rather than after it.
  if (!run_options.checkpoint.empty() && speaks)
    detail::prepare_checkpoint_location(run_options.checkpoint);
  if (!run_options.checkpoint.empty() && run_options.resume &&
      resume(backend, run_options, identity)) {
    const Progress p = backend.progress();
    log.note("resumed from checkpoint " + run_options.checkpoint + " after iteration " +
             std::to_string(p.iteration) + " and " + std::to_string(p.n_like) +
             " likelihood calls");
  }
  // A write that fails later (a full disk, a vanished directory) leaves the last checkpoint in
  // place; the run goes on and its result says so.
  std::size_t writes = 0, failed_writes = 0;
  std::string write_error;
  auto checkpoint_now = [&] {
    ++writes;
    try {
      save(backend, run_options.checkpoint, identity, speaks);
    } catch (const IoError& e) {
      write_error = e.reason();
      if (failed_writes++ == 0)
        log.warning(write_error + "; the run goes on and tries again at the next checkpoint");
    }
  };
  auto tell_notes = [&] {
    for (const auto& note : backend.take_notes()) log.note(note);
  };
  detail::InterruptGuard interrupts(run_options.handle_signals, run_options.stop);
  log.start(backend.n_like());
  tell_notes();  // a note on the first step's size comes before that step
  auto last_checkpoint = std::chrono::steady_clock::now();
  std::optional<std::string> stopped_early;
  for (;;) {
    if (auto budget = spent(run_options, backend, start)) {
      // The checkpoint keeps the state before the stop, so that a larger budget goes on from it.
      const std::size_t failed_before = failed_writes;
      if (!run_options.checkpoint.empty()) checkpoint_now();
      if (const auto missing = backend.stop_early()) {
        *budget += ", before the run's own end: " + *missing;
        if (!run_options.checkpoint.empty() && failed_writes == failed_before)
          *budget += "; checkpoint " + run_options.checkpoint +
                     " holds the run before this stop: run again with a larger budget to go on";
        stopped_early = std::move(budget);
        break;
      }
    }
    if (!backend.step(pool)) break;
    tell_notes();
    if (const auto why = interrupts.caught()) stop(backend, run_options, identity, why, speaks);
    if (!run_options.checkpoint.empty() &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count() >=
            run_options.checkpoint_every) {
      checkpoint_now();
      last_checkpoint = std::chrono::steady_clock::now();
    }
    if (log.due()) log.update(with_name(backend.progress()));
  }
  const std::size_t failed_before_end = failed_writes;
  if (!run_options.checkpoint.empty() && !stopped_early) checkpoint_now();
  log.finish(with_name(backend.progress()));
  Result result;
  try {
    result = backend.result();  // Batch's bootstrap can take a while, and stops when asked
  } catch (const Interrupted& e) {
    std::string where;
    if (run_options.checkpoint.empty())
      where = "; no checkpoint was asked for (RunOptions::checkpoint), so the run is lost";
    else if (failed_writes == failed_before_end)
      where = "; the sampling is complete in checkpoint " + run_options.checkpoint +
              ": run again with the same options to finish";
    else
      where = "; the final checkpoint write failed (" + write_error + "), so checkpoint " +
              run_options.checkpoint + " holds an earlier state, if any";
    throw Interrupted(e.reason() + where, e.signal());
  }
  if (stopped_early) result.warnings.push_back(*stopped_early);
  if (failed_writes > 0)
    result.warnings.push_back(std::to_string(failed_writes) + " of " + std::to_string(writes) +
                              " checkpoint writes failed, the last with: " + write_error +
                              ". The checkpoint file holds an earlier state of the run, if any");
  result.options = identity.options;
  for (auto& warning : pool.take_warnings()) result.warnings.push_back(warning);
  for (auto& warning : watch.warnings()) result.warnings.push_back(warning);
  result.names = problem_.model().names;
  result.sampler = B::name;
  result.pool = pool.describe();
  for (const auto& warning : result.warnings) log.warning(warning);
  result.seed = run_options.seed;
  result.writes_output = speaks;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

// Why the run must stop now (max_calls or max_seconds reached), if it must. A run that has
// not made its first call yet always goes on: a backend has nothing to return before that.
template <Backend B>
std::optional<std::string> Sampler<B>::spent(const RunOptions& o, const B& backend,
                                             std::chrono::steady_clock::time_point start) {
  if (o.max_calls == 0 && o.max_seconds == 0) return std::nullopt;
  const std::size_t n_like = backend.n_like();
  if (n_like == 0) return std::nullopt;
  if (o.max_calls > 0 && n_like >= o.max_calls)
    return "stopped at max_calls = " + std::to_string(o.max_calls) + " after " +
           std::to_string(n_like) + " likelihood calls";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.max_seconds > 0 && seconds >= o.max_seconds)
    return "stopped at max_seconds = " + detail::text(o.max_seconds) + " after " +
           detail::text(std::round(seconds * 10.0) / 10.0) + " s and " + std::to_string(n_like) +
           " likelihood calls";
  return std::nullopt;
}

template <Backend B>
void Sampler<B>::check(const RunOptions& o) {
  auto non_negative = [](const char* name, double value) {
    if (!(value >= 0.0) || std::isinf(value))
      throw ConfigError(std::string(name) + " must be a finite number >= 0 (seconds), got " +
                        detail::text(value));
  };
  non_negative("checkpoint_every", o.checkpoint_every);
  non_negative("row_timeout", o.row_timeout);
  non_negative("progress_every", o.progress_every);
  non_negative("max_seconds", o.max_seconds);
}

template <Backend B>
Progress Sampler<B>::with_name(Progress p) {
  p.sampler = B::name;
  return p;
}

template <Backend B>
void Sampler<B>::save(const B& backend, const std::string& path, const detail::RunIdentity& id,
                      bool speaks) {
  if (!speaks) return;  // the process that speaks for the run writes its checkpoint
  std::vector<double> state;
  detail::FlatWriter out(state);
  out.sequence(backend.probes());
  backend.save(out);
  detail::write_checkpoint(path, id, state);
}

template <Backend B>
bool Sampler<B>::resume(B& backend, const RunOptions& o, const detail::RunIdentity& id) const {
  const auto state = detail::read_checkpoint(o.checkpoint, id);
  if (!state) return false;
  std::vector<detail::Probe> probes;
  try {
    detail::FlatReader in(*state, "the checkpoint's sampler state");
    in.sequence(probes);
    backend.load(in);
    in.expect_end();
  } catch (const IoError& e) {
    throw CheckpointError("checkpoint " + o.checkpoint + " has a checksum that matches but " +
                          "a state this parnest cannot read: " + e.what());
  }
  detail::check_probes(problem_, probes, o.checkpoint);
  return true;
}

template <Backend B>
void Sampler<B>::stop(const B& backend, const RunOptions& o, const detail::RunIdentity& id,
                      const detail::Interrupt& why, bool speaks) {
  const Progress p = backend.progress();
  std::string message = "interrupted by " + why.cause() + " after iteration " +
                        std::to_string(p.iteration) + " and " + std::to_string(p.n_like) +
                        " likelihood calls";
  if (o.checkpoint.empty()) {
    message += "; no checkpoint was asked for (RunOptions::checkpoint), so the run is lost";
  } else {
    try {
      save(backend, o.checkpoint, id, speaks);
      message +=
          "; checkpoint written to " + o.checkpoint + ": run again with the same options to resume";
    } catch (const IoError& e) {
      message += "; the checkpoint could not be written (" + e.reason() +
                 "), so the work since the last one written is lost";
    }
  }
  throw Interrupted(message, why.signal);
}

}  // namespace parnest
