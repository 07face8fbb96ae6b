#pragma once
// ProcessPool (pool/process.hpp): compiled once into libparnest (src/process_pool.cpp), or
// included by the header that declares it in header-only mode (PARNEST_HEADER_ONLY). The
// framing is impl/process_framing.ipp and the worker impl/process_worker.ipp; here are the
// parent's bookkeeping and the batch loop.
#include "parnest/detail/inline.hpp"
#include "parnest/pool/process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <oneapi/tbb/global_control.h>

#include <Eigen/Core>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "parnest/detail/chunks.hpp"
#include "parnest/detail/context_cache.hpp"
#include "parnest/detail/error_transport.hpp"
#include "parnest/detail/instance_id.hpp"
#include "parnest/detail/row_watch.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/env.hpp"
#include "parnest/error.hpp"
#include "parnest/impl/process_framing.ipp"
#include "parnest/impl/process_worker.ipp"

namespace parnest {
// Named, not anonymous: in header-only mode this file is part of every program's headers.
namespace detail::process_impl {

// ---------------------------------------------------------------------------------------------
// Bookkeeping in the parent.

/// Parent-side sockets of every ProcessPool in this process: a new worker closes them all, so
/// that a worker never keeps another worker's socket open (which would hide its exit).
PARNEST_INLINE std::mutex& sockets_mutex() {
  static std::mutex m;
  return m;
}
PARNEST_INLINE std::vector<int>& open_sockets() {
  static std::vector<int> fds;
  return fds;
}
PARNEST_INLINE void register_socket(int fd) {
  std::lock_guard lock(sockets_mutex());
  open_sockets().push_back(fd);
}
PARNEST_INLINE void unregister_socket(int fd) {
  std::lock_guard lock(sockets_mutex());
  std::erase(open_sockets(), fd);
}

/// How a reaped process ended, for messages: "was killed by signal 11 (Segmentation fault)".
PARNEST_INLINE std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::strsignal(sig);
    return "was killed by signal " + std::to_string(sig) + " (" + (name ? name : "?") + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended (status " + std::to_string(status) + ")";
}

/// Waits for `pid`; after `grace` it is killed. Returns how it ended.
PARNEST_INLINE std::string reap(pid_t pid, std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto pause = std::chrono::microseconds(50);
  int status = 0;
  for (;;) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return describe_status(status);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return "ended (its exit status was collected elsewhere)";
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20'000));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return describe_status(status) + " after the grace period";
}

/// The exception a worker reported, rebuilt as the same parnest kind.
PARNEST_INLINE std::exception_ptr rebuild_exception(PayloadReader& in, std::size_t worker,
                                                    pid_t pid) {
  const std::vector<double> flat = in.get_doubles();
  detail::FlatReader reader(flat, "a worker's error report");
  return detail::revive(
      reader.read<detail::CarriedError>(),
      "a task threw in worker " + std::to_string(worker) + " (pid " + std::to_string(pid) + ")");
}

struct Chunk {
  std::size_t first = 0, count = 0;
  std::size_t attempts = 0;  // times a worker died running these rows
};

struct Worker {
  enum class State { stopped, starting, ready };
  std::size_t index = 0;
  pid_t pid = -1;
  int fd = -1;
  State state = State::stopped;
  std::uint64_t forked_after = 0;  // instance_ids_issued() at the fork
  std::uint64_t context_version = 0;
  std::deque<Chunk> in_flight;     // sent, not yet answered; the worker runs them in order
  std::size_t start_failures = 0;  // deaths before "ready", in a row
  std::chrono::steady_clock::time_point front_started;  // when in_flight.front() began
};

// A second chunk is sent before the first is answered, hiding the round trip (~50 us here),
// only when it surely fits in the socket's buffer: the parent must never block sending to a
// worker that is itself blocked sending results back.
constexpr std::size_t prefetch_bytes = 16 * 1024;

// ProcessPool::Impl: the workers and the batch loop.
struct PoolState {
  using Options = ProcessPool::Options;
  using Stats = ProcessPool::Stats;
  Options options;
  std::vector<Worker> workers;
  mutable std::mutex mutex;
  Stats stats;
  std::vector<std::string> warnings;
  detail::ContextCache contexts;  // the last batch's, to send a context only when it changed
  std::vector<char> payload;      // receive buffer

  // One batch in flight.
  struct Batch {
    const Task* task;
    const RowMatrix* input;
    RowMatrix* output;
    std::deque<Chunk> pending;
    detail::FirstError errors;
    std::string fatal;  // set once: the batch fails with a PoolError after draining
  };

  static constexpr std::chrono::milliseconds grace{5000};

  void update_recipe(TaskRecipe next) { contexts.update(std::move(next)); }

  std::string name(const Worker& w) const {
    return "worker " + std::to_string(w.index) + " (pid " + std::to_string(w.pid) + ")";
  }

  void spawn(Worker& w) {
    if (options.threads_per_worker > 1) release_tbb_threads(w);
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      throw PoolError(std::string("ProcessPool: cannot create a socket for a worker: ") +
                      std::strerror(errno));
    WorkerStart start{sv[1], w.index, ::getpid(), {}, &options};
    {
      std::lock_guard lock(sockets_mutex());
      start.inherited = open_sockets();
    }
    start.inherited.push_back(sv[0]);
    std::fflush(nullptr);  // or buffered output would be written twice, once by the worker
    const std::uint64_t issued = detail::instance_ids_issued();
    const pid_t pid = ::fork();
    if (pid == 0) worker_main(start);
    const int fork_error = errno;
    ::close(sv[1]);
    if (pid < 0) {
      ::close(sv[0]);
      throw PoolError(std::string("ProcessPool: fork() failed: ") + std::strerror(fork_error));
    }
    register_socket(sv[0]);
    w.pid = pid;
    w.fd = sv[0];
    w.state = Worker::State::starting;
    w.forked_after = issued;
    w.context_version = 0;
    ++stats.workers_started;
  }

  // A child of a process whose oneTBB scheduler is running gets one TBB thread
  // (docs/architecture.md); finalising the scheduler first gives it the threads it may use.
  void release_tbb_threads(const Worker& w) {
    oneapi::tbb::task_scheduler_handle handle{oneapi::tbb::attach{}};
    if (!oneapi::tbb::finalize(handle, std::nothrow))
      warnings.push_back("threads_per_worker = " + std::to_string(options.threads_per_worker) +
                         ", but oneTBB was busy in this process (a live task_arena, such as a "
                         "ThreadPool's) when worker " +
                         std::to_string(w.index) +
                         " was forked: oneTBB code in that worker runs on one thread");
  }

  /// Closes the worker's socket (it then exits) and reaps it. Returns how it ended.
  std::string stop(Worker& w, std::chrono::milliseconds wait = grace) {
    if (w.state == Worker::State::stopped) return {};
    close_socket(w);
    w.state = Worker::State::stopped;
    return reap(w.pid, wait);
  }
  void close_socket(Worker& w) {
    if (w.fd < 0) return;
    unregister_socket(w.fd);
    ::close(w.fd);
    w.fd = -1;
  }
  void stop_all() {
    for (auto& w : workers) close_socket(w);  // all at once: they exit in parallel
    for (auto& w : workers)
      if (w.state != Worker::State::stopped) {
        w.state = Worker::State::stopped;
        reap(w.pid, grace);
      }
  }

  void run(Batch& b) {
    split(b);
    try {
      for (;;) {
        if (b.fatal.empty() && !b.pending.empty()) spawn_stopped(b);
        for (auto& w : workers)
          while (b.fatal.empty() && w.state == Worker::State::ready && can_take(b, w)) assign(b, w);
        const bool busy = std::any_of(workers.begin(), workers.end(),
                                      [](const Worker& w) { return !w.in_flight.empty(); });
        if (!busy && (b.pending.empty() || !b.fatal.empty())) break;
        wait_and_handle(b);
      }
    } catch (...) {
      // A protocol error (a message out of place, a short one) ends the batch while workers
      // still run its chunks: their replies must not reach the next batch, whose chunks can
      // have the same rows. Fresh workers start at the next map().
      for (auto& w : workers) w.in_flight.clear();
      stop_all();
      throw;
    }
    if (!b.fatal.empty()) throw PoolError(b.fatal);
    b.errors.rethrow_if_any();
  }

  // Replaces stopped workers. A fork that fails fails the batch once the others are done.
  void spawn_stopped(Batch& b) {
    for (auto& w : workers)
      if (w.state == Worker::State::stopped) try {
          spawn(w);
        } catch (const PoolError&) {
          b.fatal = detail::carry(std::current_exception()).message;
          return;
        }
  }

  void split(Batch& b) const {
    const auto rows = static_cast<std::size_t>(b.input->rows());
    for (std::size_t first = 0; first < rows;) {
      const std::size_t count =
          detail::next_chunk(rows - first, workers.size(), options.chunk_rows);
      b.pending.push_back({first, count, 0});
      first += count;
    }
  }

  // A second chunk only while more chunks wait than there are workers: near the end of a
  // batch a prefetched chunk could sit behind a slow one while another worker idles.
  bool can_take(const Batch& b, const Worker& w) const {
    if (b.pending.empty()) return false;
    if (w.in_flight.empty()) return true;
    const std::size_t bytes =
        b.pending.front().count * static_cast<std::size_t>(b.input->cols()) * sizeof(double);
    return w.in_flight.size() == 1 && bytes <= prefetch_bytes && b.pending.size() > workers.size();
  }

  void assign(Batch& b, Worker& w) {
    const Chunk chunk = b.pending.front();
    b.pending.pop_front();
    if (w.in_flight.empty()) w.front_started = std::chrono::steady_clock::now();
    w.in_flight.push_back(chunk);
    bool sent = true;
    const std::uint64_t version = contexts.version();
    if (w.context_version != version) {
      const TaskRecipe& recipe = contexts.recipe();
      Payload head;
      head.put(reinterpret_cast<std::uintptr_t>(recipe.rebuild));
      head.put(reinterpret_cast<std::uintptr_t>(recipe.anchor));
      head.put(version);
      head.put(std::uint64_t{recipe.context.size()});
      sent = send_frame(
          w.fd, Frame::context,
          {as_bytes(head.bytes()), as_bytes(recipe.context.data(), recipe.context.size())});
      w.context_version = version;
    }
    if (sent) {
      Payload head;
      const auto in_cols = static_cast<std::uint64_t>(b.input->cols());
      for (std::uint64_t v : {version, std::uint64_t{chunk.first}, std::uint64_t{chunk.count},
                              in_cols, static_cast<std::uint64_t>(b.output->cols())})
        head.put(v);
      sent = send_frame(w.fd, Frame::rows,
                        {as_bytes(head.bytes()),
                         as_bytes(b.input->row(static_cast<Eigen::Index>(chunk.first)).data(),
                                  chunk.count * in_cols)});
    }
    if (!sent) died(b, w);
  }

  void wait_and_handle(Batch& b) {
    std::vector<pollfd> fds;
    std::vector<Worker*> owners;
    for (auto& w : workers)
      if (w.state != Worker::State::stopped) {
        fds.push_back({w.fd, POLLIN, 0});
        owners.push_back(&w);
      }
    if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0) {
      if (errno == EINTR) return;
      throw PoolError(std::string("ProcessPool: poll() failed: ") + std::strerror(errno));
    }
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0) handle(b, *owners[i]);
    kill_overdue(b);
  }

  // When the chunk a worker runs must be done by: row_timeout per row of it.
  std::chrono::steady_clock::time_point deadline(const Worker& w) const {
    const std::chrono::duration<double> allowed(options.row_timeout *
                                                static_cast<double>(w.in_flight.front().count));
    return w.front_started +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(allowed);
  }

  // Until the first deadline of a busy worker (-1: none, wait for messages only).
  int poll_timeout_ms() const {
    if (options.row_timeout <= 0.0) return -1;
    const auto now = std::chrono::steady_clock::now();
    double wait_ms = -1.0;
    for (const auto& w : workers)
      if (w.state == Worker::State::ready && !w.in_flight.empty()) {
        const double ms =
            std::max(0.0, std::chrono::duration<double, std::milli>(deadline(w) - now).count());
        wait_ms = wait_ms < 0.0 ? ms : std::min(wait_ms, ms);
      }
    return wait_ms < 0.0 ? -1 : static_cast<int>(std::min(std::ceil(wait_ms) + 1.0, 6e7));
  }

  // A worker past its deadline is killed and handled as one that died there.
  void kill_overdue(Batch& b) {
    if (options.row_timeout <= 0.0) return;
    const auto now = std::chrono::steady_clock::now();
    for (auto& w : workers)
      if (w.state == Worker::State::ready && !w.in_flight.empty() && now >= deadline(w)) {
        ::kill(w.pid, SIGKILL);
        ++stats.timeouts;
        died(b, w,
             "ran longer than row_timeout = " + detail::text(options.row_timeout) +
                 " s per row and was killed");
      }
  }

  void handle(Batch& b, Worker& w) {
    Frame kind{};
    if (!receive_frame(w.fd, kind, payload)) return died(b, w);
    PayloadReader in(payload);
    switch (kind) {
      case Frame::ready:
        w.state = Worker::State::ready;
        w.start_failures = 0;
        return;
      case Frame::setup_failed: {
        in.get<std::uint64_t>();
        const std::vector<double> flat = in.get_doubles();
        detail::FlatReader reader(flat, "a worker's error report");
        const std::string message = reader.read<detail::CarriedError>().message;
        if (b.fatal.empty())
          b.fatal = "ProcessPool: the set-up function threw in " + name(w) + ": " + message;
        stop(w);
        return;
      }
      case Frame::done: {
        const auto first = in.get<std::uint64_t>();
        const auto count = in.get<std::uint64_t>();
        if (w.in_flight.empty() || first != w.in_flight.front().first ||
            count != w.in_flight.front().count)
          throw PoolError("ProcessPool: " + name(w) + " returned rows it was not given");
        in.get_doubles_into(b.output->row(static_cast<Eigen::Index>(first)).data(),
                            count * static_cast<std::size_t>(b.output->cols()));
        w.in_flight.pop_front();
        w.front_started = std::chrono::steady_clock::now();
        return;
      }
      case Frame::failed: {
        const auto row = in.get<std::uint64_t>();
        b.errors.record(row, rebuild_exception(in, w.index, w.pid));
        if (!w.in_flight.empty()) w.in_flight.pop_front();
        w.front_started = std::chrono::steady_clock::now();
        return;
      }
      default:
        throw PoolError("ProcessPool: " + name(w) + " sent an unknown message (" +
                        std::to_string(static_cast<std::uint64_t>(kind)) + ")");
    }
  }

  // The worker's socket closed: it died (or was killed). The chunk it was running is re-queued
  // one row per chunk, so that a row that kills workers is found and others are not blamed
  // for it; a prefetched chunk it had not started goes back as it was.
  void died(Batch& b, Worker& w, const std::string& cause = {}) {
    const Worker::State was = w.state;
    const std::string who = name(w);
    const std::string ended = stop(w);
    const std::string how = cause.empty() ? ended : cause;
    std::deque<Chunk> lost = std::exchange(w.in_flight, {});
    if (lost.size() > 1) b.pending.push_front(lost.back());
    if (was == Worker::State::starting) {
      if (++w.start_failures > options.max_retries && b.fatal.empty())
        b.fatal = "ProcessPool: " + who + " " + how + " before it was ready (during set-up), " +
                  std::to_string(w.start_failures) + " times in a row";
      return;
    }
    if (lost.empty()) {
      warnings.push_back(who + " " + how + " while idle; a new worker replaces it");
      return;
    }
    ++stats.crashes;
    const Chunk c = lost.front();
    const std::size_t attempts = c.attempts + 1;
    if (c.count == 1 && attempts > options.max_retries) {
      if (b.fatal.empty()) {
        const auto r = static_cast<Eigen::Index>(c.first);
        b.fatal =
            "ProcessPool: " + who + " " + how + " while running row " + std::to_string(c.first) +
            " of " + std::to_string(b.input->rows()) + ", " +
            b.task->describe_row(std::span<const double>(b.input->row(r).data(), b.input->cols())) +
            "; workers " + (cause.empty() ? "died" : "timed out") + " on this row " +
            std::to_string(attempts) +
            " times (max_retries = " + std::to_string(options.max_retries) + ")";
      }
      return;
    }
    for (std::size_t i = c.count; i-- > 0;) b.pending.push_front({c.first + i, 1, attempts});
    stats.rows_retried += c.count;
    warnings.push_back(
        who + " " + how + " while running " +
        (c.count > 1
             ? "rows " + std::to_string(c.first) + "-" + std::to_string(c.first + c.count - 1)
             : "row " + std::to_string(c.first)) +
        " of a batch of " + std::to_string(b.input->rows()) + "; a new worker replaces it and " +
        (c.count > 1 ? "they are" : "it is") + " re-run");
  }
};

PARNEST_INLINE std::size_t nonzero(std::size_t workers) {
  if (workers == 0)
    throw ConfigError("ProcessPool: the number of workers must be at least 1, got 0");
  return workers;
}
PARNEST_INLINE ProcessPool::Options checked(ProcessPool::Options o) {
  if (o.workers == 0) o.workers = detect_environment().cpus;
  if (o.threads_per_worker == 0)
    throw ConfigError("ProcessPool: threads_per_worker must be at least 1, got 0");
  if (!(o.row_timeout >= 0.0) || std::isinf(o.row_timeout))
    throw ConfigError(
        "ProcessPool: row_timeout must be a finite number >= 0 (seconds; 0: no "
        "limit), got " +
        detail::text(o.row_timeout));
  return o;
}

}  // namespace detail::process_impl

struct ProcessPool::Impl : detail::process_impl::PoolState {};

PARNEST_INLINE ProcessPool::ProcessPool(std::size_t workers)
    : ProcessPool(Options{.workers = detail::process_impl::nonzero(workers)}) {}

PARNEST_INLINE ProcessPool::ProcessPool(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = detail::process_impl::checked(std::move(options));
  impl_->workers.resize(impl_->options.workers);
  for (std::size_t i = 0; i < impl_->workers.size(); ++i) impl_->workers[i].index = i;
}

PARNEST_INLINE ProcessPool::~ProcessPool() {
  impl_->stop_all();
}

PARNEST_INLINE std::size_t ProcessPool::size() const noexcept {
  return impl_->workers.size();
}

PARNEST_INLINE void ProcessPool::map(const Task& task, const RowMatrix& input, RowMatrix& output) {
  std::lock_guard lock(impl_->mutex);
  ++impl_->stats.batches;
  if (input.rows() == 0) return;
  TaskRecipe recipe = task.recipe();
  if (!recipe.rebuild)
    throw PoolError(
        "ProcessPool: this task cannot be rebuilt in a worker process (its recipe() is empty); "
        "run it with a SerialPool or a ThreadPool");
  // Workers forked before the task's anchor (a model) existed do not have it: fork afresh.
  for (auto& w : impl_->workers)
    if (w.state != detail::process_impl::Worker::State::stopped &&
        w.forked_after <= recipe.anchor_id)
      impl_->stop(w);
  impl_->update_recipe(std::move(recipe));
  Impl::Batch batch{&task, &input, &output, {}, {}, {}};
  impl_->run(batch);
}

PARNEST_INLINE std::string ProcessPool::describe() const {
  return "processes(" + std::to_string(impl_->workers.size()) + ")";
}

PARNEST_INLINE std::vector<std::string> ProcessPool::take_warnings() {
  std::lock_guard lock(impl_->mutex);
  return std::exchange(impl_->warnings, {});
}

PARNEST_INLINE void ProcessPool::restart() {
  std::lock_guard lock(impl_->mutex);
  impl_->stop_all();
}

PARNEST_INLINE ProcessPool::Stats ProcessPool::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

PARNEST_INLINE const ProcessPool::Options& ProcessPool::options() const noexcept {
  return impl_->options;
}

PARNEST_INLINE std::vector<int> ProcessPool::worker_pids() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<int> pids;
  for (const auto& w : impl_->workers)
    if (w.state != detail::process_impl::Worker::State::stopped) pids.push_back(w.pid);
  return pids;
}

}  // namespace parnest
