#pragma once
// ProcessPool's worker (part of impl/process_pool.ipp, in namespace detail::process_impl): what
// a forked worker does from its start to its _exit.
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <oneapi/tbb/global_control.h>

#include <Eigen/Core>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parnest/detail/error_transport.hpp"
#include "parnest/detail/inline.hpp"
#include "parnest/detail/row_watch.hpp"
#include "parnest/impl/process_framing.ipp"
#include "parnest/pool/process.hpp"

extern char** environ;  // NOLINT: POSIX

namespace parnest::detail::process_impl {

// ---------------------------------------------------------------------------------------------
// The worker process.

/// The exception in flight, as a failure message for the parent.
PARNEST_INLINE Payload describe_exception(std::uint64_t row) {
  Payload out;
  out.put(row);
  std::vector<double> flat;
  detail::FlatWriter writer(flat);
  writer.object(detail::carry(std::current_exception()));
  out.put(std::span<const double>(flat));
  return out;
}

PARNEST_INLINE bool starts_with_any(std::string_view entry,
                                    std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return entry.substr(0, p.size()) == p; });
}

// The worker's environment: without MPI launcher variables (an MPI_Init in a child that sees
// them hangs the parent's job: docs/architecture.md, "Process pool") and with thread
// limits for OpenMP and BLAS. Built by hand rather than with setenv(), whose lock another
// thread of the parent may have held at the fork.
PARNEST_INLINE void set_worker_environment(std::size_t threads) {
  static std::vector<std::string> added;  // lives until _exit
  const std::string n = std::to_string(threads);
  for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"})
    added.push_back(std::string(name) + "=" + n);
  static std::vector<char*> entries;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    if (starts_with_any(entry, {"OMPI_", "PMIX_", "PMI_", "MV2_", "HYDRA_", "I_MPI_",
                                "OMP_NUM_THREADS=", "OPENBLAS_NUM_THREADS=", "MKL_NUM_THREADS="}))
      continue;
    entries.push_back(*e);
  }
  for (auto& a : added) entries.push_back(a.data());
  entries.push_back(nullptr);
  environ = entries.data();
}

struct WorkerStart {
  int fd;
  std::size_t index;
  pid_t parent;
  std::vector<int> inherited;  // other pools' and workers' sockets, closed in the worker
  const ProcessPool::Options* options;
};

[[noreturn]] PARNEST_INLINE void worker_loop(int fd) {
  std::unique_ptr<Task> task;
  std::uint64_t version = 0;
  std::exception_ptr context_error;
  std::vector<char> payload;
  RowMatrix input, output;
  Frame kind{};
  while (receive_frame(fd, kind, payload)) {
    PayloadReader in(payload);
    if (kind == Frame::context) {
      const auto rebuild = reinterpret_cast<TaskRecipe::Rebuild>(in.get<std::uintptr_t>());
      const auto* anchor = reinterpret_cast<const void*>(in.get<std::uintptr_t>());
      version = in.get<std::uint64_t>();
      const std::vector<double> context = in.get_doubles();
      task.reset();
      context_error = nullptr;
      try {
        task = rebuild(anchor, context);
      } catch (...) {
        context_error = std::current_exception();
      }
      continue;
    }
    const auto batch_version = in.get<std::uint64_t>();
    const auto first = in.get<std::uint64_t>();
    const auto count = in.get<std::uint64_t>();
    const auto in_cols = in.get<std::uint64_t>();
    const auto out_cols = in.get<std::uint64_t>();
    input.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(in_cols));
    in.get_doubles_into(input.data(), static_cast<std::size_t>(input.size()));
    output.setZero(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(out_cols));
    std::uint64_t row = first;
    try {
      if (context_error) std::rethrow_exception(context_error);
      if (!task || batch_version != version)
        throw PoolError("ProcessPool: rows arrived for context " + std::to_string(batch_version) +
                        " but this worker holds context " + std::to_string(version));
      // Row by row, or in blocks for a vectorised likelihood, as on this process's own pools.
      detail::FirstError errors;
      detail::run_rows_here(*task, input, output, errors, first);
      row = errors.row();
      errors.rethrow_if_any();
    } catch (...) {
      if (!send_frame(fd, Frame::failed, {as_bytes(describe_exception(row).bytes())})) break;
      continue;
    }
    Payload head;
    head.put(first);
    head.put(count);
    if (!send_frame(fd, Frame::done,
                    {as_bytes(head.bytes()),
                     as_bytes(output.data(), static_cast<std::size_t>(output.size()))}))
      break;
  }
  ::_exit(0);
}

[[noreturn]] PARNEST_INLINE void worker_main(const WorkerStart& start) noexcept {
  try {
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (::getppid() != start.parent) ::_exit(1);  // the parent died before prctl took effect
    // The parent's watch has no thread here, and its locks may have been held at the fork;
    // this pool's own row_timeout covers the worker.
    detail::active_row_watch.store(nullptr);
    for (int fd : start.inherited) ::close(fd);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    // A crash must end the worker with its signal, for the parent to report and replace it,
    // not run a handler of the program's (a test framework's, a crash reporter's).
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS}) ::signal(sig, SIG_DFL);
    const std::size_t threads = start.options->threads_per_worker;
    set_worker_environment(threads);
    static auto* tbb_limit = new oneapi::tbb::global_control(
        oneapi::tbb::global_control::max_allowed_parallelism, threads);
    (void)tbb_limit;
    Eigen::setNbThreads(static_cast<int>(threads));
    if (start.options->setup) {
      try {
        start.options->setup(start.index);
      } catch (...) {
        send_frame(start.fd, Frame::setup_failed, {as_bytes(describe_exception(0).bytes())});
        ::_exit(0);
      }
    }
    if (!send_frame(start.fd, Frame::ready, {})) ::_exit(0);
    worker_loop(start.fd);
  } catch (...) {
    // Never let an exception unwind into the parent's stack frames copied into this process.
  }
  ::_exit(2);
}

}  // namespace parnest::detail::process_impl
