#pragma once
// detail::select_pool, compiled once into libparnest (src/select_pool.cpp), or included by
// detail/select_pool.hpp in header-only mode.

#include <algorithm>
#include <memory>
#include <string>

#include "parnest/detail/inline.hpp"
#include "parnest/detail/launcher_pool.hpp"
#include "parnest/detail/select_pool.hpp"
#include "parnest/error.hpp"
#include "parnest/pool/process.hpp"
#include "parnest/pool/serial.hpp"
#include "parnest/pool/thread.hpp"

namespace parnest::detail {

// `previous` if it is a P of n workers (its workers keep running between runs), else a new P.
template <class P>
std::shared_ptr<Pool> reuse_or_make(const std::shared_ptr<Pool>& previous, std::size_t n) {
  if (dynamic_cast<P*>(previous.get()) && previous->size() == n) return previous;
  return std::make_shared<P>(n);
}

PARNEST_INLINE std::shared_ptr<Pool> select_pool(const RunOptions& options, const Model& model,
                                                 const Environment& env,
                                                 const std::shared_ptr<Pool>& previous) {
  if (options.ncores && !options.pool.empty())
    throw ConfigError("both ncores (" + std::to_string(*options.ncores) +
                      ") and pool were given: give one of them");
  if (const auto& user = options.pool.pool()) {
    if (!model.thread_safe && user->runs_threads_concurrently())
      throw ConfigError("the model is marked not thread-safe, but the pool " + user->describe() +
                        " runs rows on several threads at once");
    return user;
  }
  const std::optional<int> asked = options.ncores ? options.ncores : options.pool.size();
  if (asked && *asked < 1)
    throw ConfigError((options.ncores ? "ncores" : "pool") +
                      std::string(" must be at least 1, got ") + std::to_string(*asked));
  if (env.size > 1) {
    // Under a launcher, every rank evaluates; ncores then counts threads per rank.
    const std::size_t threads = asked ? static_cast<std::size_t>(*asked) : 1;
    if (threads > 1 && !model.thread_safe)
      throw ConfigError("ncores = " + std::to_string(threads) +
                        " asks for that many threads on each MPI rank, but the model is marked "
                        "not thread-safe: leave ncores unset under an MPI launcher (the ranks are "
                        "the processes)");
    return launcher_pool(env, threads, previous, options.logger);
  }
  const std::size_t n = asked ? static_cast<std::size_t>(*asked) : env.cpus;
  // More workers than CPUs only oversubscribe them (ThreadPool caps its threads alike); a
  // ProcessPool built by hand may still have more.
  const std::size_t workers = std::min(n, std::max<std::size_t>(env.cpus, 1));
  if (n == 1 || (!model.thread_safe && workers == 1)) return std::make_shared<SerialPool>();
  if (!model.thread_safe) {
    const auto* same = dynamic_cast<const ProcessPool*>(previous.get());
    if (same && same->size() == workers && same->options().row_timeout == options.row_timeout)
      return previous;
    return std::make_shared<ProcessPool>(
        ProcessPool::Options{.workers = workers, .row_timeout = options.row_timeout});
  }
  return reuse_or_make<ThreadPool>(previous, n);
}
}  // namespace parnest::detail
