#pragma once
// MpiPool and the launcher pool it makes (pool/mpi.hpp): compiled once into libparnest_mpi,
// the parnest::mpi component (src/mpi_pool.cpp), or included by detail/launcher_pool.hpp in
// header-only mode with PARNEST_HAVE_MPI (parnest::header_only_mpi).
#include "parnest/detail/inline.hpp"
#include "parnest/pool/mpi.hpp"

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/mpi/request.hpp>
#include <boost/mpi/status.hpp>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "parnest/detail/chunks.hpp"
#include "parnest/detail/context_cache.hpp"
#include "parnest/detail/error_transport.hpp"
#include "parnest/detail/flat.hpp"
#include "parnest/detail/mpi_registration.hpp"
#include "parnest/detail/tbb_rows.hpp"
#include "parnest/detail/text.hpp"
#include "parnest/env.hpp"
#include "parnest/error.hpp"

namespace parnest {
// Named, not anonymous: in header-only mode this file is part of every program's headers.
namespace detail::mpi_impl {

namespace bmpi = boost::mpi;

// Rank 0 to the other group leaders, and back (tag_done).
enum Tag : int { tag_context = 101, tag_rows, tag_done, tag_release, tag_abandon };
// A group leader to its group's other ranks (broadcast on the group communicator).
enum class GroupMessage { context = 1, row, release, abandon };

/// "rank 2 of 4 has waited 30 s <where>": what a waiting rank tells its logger.
PARNEST_INLINE void tell_waiting(Logger& logger, int rank, int ranks, double seconds,
                                 const std::string& where) {
  logger.message(LogLevel::warning, "rank " + std::to_string(rank) + " of " +
                                        std::to_string(ranks) + " has waited " +
                                        std::to_string(std::lround(seconds)) + " s " + where);
}

/// While this rank waits in MPI_Init_thread, which returns only once every rank the launcher
/// started has called it, says so every `every` seconds: a run() called on rank 0 only would
/// otherwise hang there without a word.
class InitWatch {
 public:
  InitWatch(double every, std::shared_ptr<Logger> logger) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised || !(every > 0.0)) return;
    thread_ = std::thread([this, every, logger = std::move(logger)] {
      const Environment env = detect_environment();
      const auto start = std::chrono::steady_clock::now();
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, std::chrono::duration<double>(every), [this] { return done_; }))
        tell_waiting(
            *logger, env.rank, env.size,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            "in MPI_Init_thread for the other ranks: every rank the launcher started "
            "must call Sampler::run() (or make an MpiPool), not only rank 0");
    });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  ~InitWatch() { stop(); }
  InitWatch(const InitWatch&) = delete;
  InitWatch& operator=(const InitWatch&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

/// MPI initialised once per process (unless the program did it), finalised at exit.
struct MpiSession {
  MpiSession(double report_seconds, std::shared_ptr<Logger> logger)
      : watch(report_seconds, std::move(logger)), environment(bmpi::threading::funneled, false) {
    watch.stop();
  }
  InitWatch watch;  // first: it watches the environment's construction
  bmpi::environment environment;
};

/// The logger of MpiPool::Options, or the default.
PARNEST_INLINE std::shared_ptr<Logger> or_default(std::shared_ptr<Logger> logger) {
  return logger ? std::move(logger) : std::make_shared<StderrLogger>();
}

/// Initialises MPI unless somebody did; finalises it at exit only if it was parnest.
PARNEST_INLINE void ensure_mpi(const MpiPool::Options& o = {}) {
  static const MpiSession session(o.wait_report_seconds, or_default(o.logger));
}

inline thread_local MPI_Comm current_group = MPI_COMM_SELF;

/// Sets group_communicator() while a row runs on a group of several ranks.
class GroupScope {
 public:
  explicit GroupScope(MPI_Comm group) : previous_(current_group) { current_group = group; }
  ~GroupScope() { current_group = previous_; }
  GroupScope(const GroupScope&) = delete;
  GroupScope& operator=(const GroupScope&) = delete;

 private:
  MPI_Comm previous_;
};

PARNEST_INLINE std::size_t as_size(double x) {
  return static_cast<std::size_t>(x);
}

/// Receives the message of doubles that `probed` found (its source, tag and size).
PARNEST_INLINE std::vector<double> receive(const bmpi::communicator& comm,
                                           const bmpi::status& probed) {
  std::vector<double> message(static_cast<std::size_t>(probed.count<double>().value_or(0)));
  comm.recv(probed.source(), probed.tag(), message.data(), static_cast<int>(message.size()));
  return message;
}

/// One thread that runs a job at a time for rank 0: its own rows, while the calling thread
/// keeps handing out chunks and taking results. Rank 0 inside a 10 ms likelihood call does not
/// progress MPI, and workers then wait for it (measured: 1-3 ms lost per chunk).
class Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  void start(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      job_ = std::move(job);
      busy_ = true;
    }
    wake_.notify_one();
  }
  bool busy() const noexcept { return busy_.load(std::memory_order_acquire); }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      auto job = std::move(job_);
      job_ = nullptr;
      lock.unlock();
      job();  // never throws: rows record their errors
      busy_.store(false, std::memory_order_release);
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::function<void()> job_;
  std::atomic<bool> busy_{false};
  bool stop_ = false;
  std::thread thread_;
};

/// What a context message carries before the context itself.
struct ContextHead {
  std::uint64_t version = 0;
  std::string kind;  // the name the task's rebuild function is registered under

  template <class Archive, class Self>
  static void serialize(Archive& ar, Self& head) {
    ar.bits(head.version);
    ar.text(head.kind);
  }
};

/// The task of a context message: [ContextHead, context...].
struct Context {
  std::uint64_t version = 0;
  std::unique_ptr<Task> task;
  std::exception_ptr error;  // why the task could not be rebuilt
};

PARNEST_INLINE Context rebuild_context(const std::vector<double>& message, const void* anchor,
                                       int rank) {
  Context c;
  detail::FlatReader in(message, "a task context from rank 0");
  const auto head = in.read<ContextHead>();
  c.version = head.version;
  const std::string& kind = head.kind;
  const std::span<const double> context = std::span<const double>(message).last(in.remaining());
  try {
    const TaskRecipe::Rebuild rebuild = find_task_kind(kind);
    if (!rebuild)
      throw PoolError("MpiPool: rank " + std::to_string(rank) + " does not know the task kind \"" +
                      kind + "\": every rank must run the same program");
    c.task = rebuild(anchor, context);
  } catch (...) {
    c.error = std::current_exception();
  }
  return c;
}

/// Throws the exception rank 0 passed to abandon().
[[noreturn]] PARNEST_INLINE void rethrow_abandoned(const std::vector<double>& message) {
  detail::FlatReader in(message, "an error sent by rank 0");
  std::rethrow_exception(detail::revive(in.read<detail::CarriedError>(), "rank 0 failed"));
}

// MpiPool::Impl: the communicators and the batch protocol.
struct PoolState {
  using Options = MpiPool::Options;
  Options options;
  std::shared_ptr<Logger> logger;  // options.logger, or the default
  bmpi::communicator comm;     // a duplicate of the caller's (or world's): only parnest talks here
  bmpi::communicator group;    // the k ranks evaluating the same rows together
  bmpi::communicator leaders;  // the first rank of each group; rank 0 of it is rank 0 of comm
  bool group_leader = true;
  std::optional<oneapi::tbb::task_arena> arena;  // threads_per_rank > 1

  // Rank 0's state for the batch in progress.
  detail::ContextCache contexts;
  std::vector<double> context_message;    // [ContextHead, context...]
  std::vector<std::uint64_t> version_at;  // the context each leader holds
  std::optional<Helper> helper;  // rank 0's evaluator for slow rows (made when first needed)
  double local_row_seconds = 0;  // the cost of rank 0's last row evaluated on its own thread
  // Sends in flight with their buffers (a list: a buffer must not move while MPI reads it).
  std::list<std::pair<bmpi::request, std::vector<double>>> sends;

  explicit PoolState(const Options& o) : options(o), logger(or_default(o.logger)) {
    ensure_mpi(o);
    if (o.group_size == 0) throw ConfigError("MpiPool: group_size must be at least 1, got 0");
    if (!(o.wait_report_seconds >= 0.0))
      throw ConfigError("MpiPool: wait_report_seconds must be >= 0, got " +
                        detail::text(o.wait_report_seconds));
    if (o.threads_per_rank == 0)
      throw ConfigError("MpiPool: threads_per_rank must be at least 1, got 0");
    if (o.group_size > 1 && o.threads_per_rank > 1)
      throw ConfigError("MpiPool: group_size (" + std::to_string(o.group_size) +
                        ") and threads_per_rank (" + std::to_string(o.threads_per_rank) +
                        ") cannot both exceed 1: a group's likelihood calls MPI, from one thread");
    comm =
        bmpi::communicator(o.comm == MPI_COMM_NULL ? MPI_COMM_WORLD : o.comm, bmpi::comm_duplicate);
    const auto k = static_cast<int>(o.group_size);
    if (comm.size() % k != 0)
      throw ConfigError(
          "MpiPool: the communicator has " + std::to_string(comm.size()) +
          " ranks, which is not a multiple of group_size = " + std::to_string(o.group_size));
    group = comm.split(comm.rank() / k, comm.rank() % k);
    group_leader = group.rank() == 0;
    leaders = comm.split(group_leader ? 0 : 1, comm.rank());
    if (o.threads_per_rank > 1) arena.emplace(static_cast<int>(o.threads_per_rank));
    detail::set_output_root(comm.rank() == 0);
  }

  std::size_t groups() const { return static_cast<std::size_t>(comm.size()) / options.group_size; }

  // ---- messages between group leaders: never a blocking send ----------------------------------

  void send(int to, int tag, std::vector<double> message) {
    sends.emplace_back();
    auto& [request, buffer] = sends.back();
    buffer = std::move(message);
    request = leaders.isend(to, tag, buffer.data(), static_cast<int>(buffer.size()));
  }

  /// Forgets the sends that completed, so that a long run's buffers do not pile up.
  void reap_sends() {
    std::erase_if(sends, [](auto& s) { return s.first.test().has_value(); });
  }

  void finish_sends() {
    for (auto& s : sends) s.first.wait();
    sends.clear();
  }

  // ---- a group leader and its group ----------------------------------------------------------

  void group_send(GroupMessage kind, std::span<const double> payload) {
    if (group.size() == 1) return;
    double head[2] = {static_cast<double>(kind), static_cast<double>(payload.size())};
    bmpi::broadcast(group, head, 2, 0);
    bmpi::broadcast(group, const_cast<double*>(payload.data()), static_cast<int>(payload.size()),
                    0);
  }

  std::pair<GroupMessage, std::vector<double>> group_receive() {
    double head[2];
    bmpi::broadcast(group, head, 2, 0);
    std::vector<double> payload(as_size(head[1]));
    bmpi::broadcast(group, payload.data(), static_cast<int>(payload.size()), 0);
    return {static_cast<GroupMessage>(static_cast<int>(head[0])), std::move(payload)};
  }

  /// Runs rows [0, n) of `in` into `out` on this rank (its threads, or its group), recording
  /// the lowest failing row in `errors` at `first` + its index.
  void run_rows(const Task& task, const RowMatrix& in, RowMatrix& out, std::size_t first,
                detail::FirstError& errors) {
    if (arena) {
      detail::run_rows_on(*arena, options.threads_per_rank, task, in, out, errors, first);
      return;
    }
    if (group.size() == 1) {
      detail::run_rows_here(task, in, out, errors, first);
      return;
    }
    // A group evaluates one row at a time, all its ranks together.
    for (std::size_t i = 0; i < static_cast<std::size_t>(in.rows()); ++i) {
      std::vector<double> row(1 + in.cols());
      row[0] = static_cast<double>(out.cols());
      std::memcpy(row.data() + 1, in.row(static_cast<Eigen::Index>(i)).data(),
                  sizeof(double) * static_cast<std::size_t>(in.cols()));
      group_send(GroupMessage::row, row);
      GroupScope scope(group);
      detail::run_block(task, in, out, i, 1, errors, first);
    }
  }

  /// A group's other ranks: run each row their leader runs, until it releases or abandons.
  std::vector<double> serve_in_group(const void* anchor) {
    Context context;
    for (;;) {
      auto [kind, payload] = group_receive();
      switch (kind) {
        case GroupMessage::context:
          context = rebuild_context(payload, anchor, comm.rank());
          break;
        case GroupMessage::row: {
          if (!context.task) break;  // the leader reports the failure to rebuild
          const std::size_t out_cols = as_size(payload[0]);
          std::vector<double> output(out_cols);
          GroupScope scope(group);
          try {
            context.task->run(std::span<const double>(payload).subspan(1), output);
          } catch (...) {
            // The leader's own evaluation of this row reports the failure.
          }
          break;
        }
        case GroupMessage::release:
          return std::move(payload);
        case GroupMessage::abandon:
          rethrow_abandoned(payload);
      }
    }
  }

  // ---- group leaders other than rank 0 ---------------------------------------------------------

  std::vector<double> serve_as_leader(const void* anchor) {
    Context context;
    for (;;) {
      const bmpi::status probed = leaders.probe(0, bmpi::any_tag);
      std::vector<double> message = receive(leaders, probed);
      switch (probed.tag()) {
        case tag_context:
          context = rebuild_context(message, anchor, comm.rank());
          group_send(GroupMessage::context, message);
          break;
        case tag_rows:
          reap_sends();
          answer_rows(context, message);
          break;
        case tag_release:
          finish_sends();
          group_send(GroupMessage::release, message);
          return message;
        case tag_abandon:
          finish_sends();
          group_send(GroupMessage::abandon, message);
          rethrow_abandoned(message);
        default:
          throw PoolError("MpiPool: rank " + std::to_string(comm.rank()) +
                          " received a message with unknown tag " + std::to_string(probed.tag()));
      }
    }
  }

  // Rows message: [version, first, count, in_cols, out_cols, rows...].
  // Done message: [first, count, failed row or -1, outputs..., error if failed].
  void answer_rows(const Context& context, const std::vector<double>& message) {
    const std::uint64_t version = std::bit_cast<std::uint64_t>(message[0]);
    const std::size_t first = as_size(message[1]), count = as_size(message[2]);
    const auto in_cols = static_cast<Eigen::Index>(message[3]);
    const auto out_cols = static_cast<Eigen::Index>(message[4]);
    RowMatrix input(static_cast<Eigen::Index>(count), in_cols);
    std::memcpy(input.data(), message.data() + 5, sizeof(double) * input.size());
    RowMatrix output = RowMatrix::Zero(static_cast<Eigen::Index>(count), out_cols);
    detail::FirstError errors;
    try {
      if (context.error) std::rethrow_exception(context.error);
      if (!context.task || context.version != version)
        throw PoolError("MpiPool: rows arrived on rank " + std::to_string(comm.rank()) +
                        " for task context " + std::to_string(version) + " but it holds " +
                        std::to_string(context.version));
      run_rows(*context.task, input, output, 0, errors);
    } catch (...) {
      errors.record(0, std::current_exception());
    }
    std::vector<double> reply{static_cast<double>(first), static_cast<double>(count),
                              errors.error() ? static_cast<double>(errors.row()) : -1.0};
    reply.insert(reply.end(), output.data(), output.data() + output.size());
    if (errors.error()) {
      detail::CarriedError carried = detail::carry(errors.error());
      carried.message += " (on MPI rank " + std::to_string(comm.rank()) + ")";
      detail::FlatWriter out(reply);
      out.object(carried);
    }
    // Not a blocking send: it can wait for rank 0 to enter MPI, which it does only between its
    // own rows (measured: 1-3 ms lost per chunk with 10 ms rows).
    send(0, tag_done, std::move(reply));
  }

  // ---- rank 0 -----------------------------------------------------------------------------------

  void update_recipe(TaskRecipe next) {
    if (!contexts.update(std::move(next))) return;
    context_message.clear();
    detail::FlatWriter out(context_message);
    out.object(
        ContextHead{contexts.version(), contexts.recipe().kind ? contexts.recipe().kind : ""});
    const auto& context = contexts.recipe().context;
    context_message.insert(context_message.end(), context.begin(), context.end());
    group_send(GroupMessage::context, context_message);
  }

  void map(const Task& task, const RowMatrix& input, RowMatrix& output) {
    const auto rows = static_cast<std::size_t>(input.rows());
    if (rows == 0) return;
    TaskRecipe recipe_now = task.recipe();
    if (leaders.size() > 1 || group.size() > 1) {
      if (!recipe_now.kind || !recipe_now.rebuild)
        throw PoolError(
            "MpiPool: this task cannot be rebuilt on other ranks (its recipe() has no kind): "
            "register its rebuild function with parnest::register_task_kind");
      update_recipe(std::move(recipe_now));
    }
    detail::FirstError errors;
    const auto workers = static_cast<std::size_t>(leaders.size()) - 1;
    if (workers == 0) {  // rank 0 (with its group) is the only evaluator
      run_rows(task, input, output, 0, errors);
      errors.rethrow_if_any();
      return;
    }
    const std::size_t evaluators = workers + (options.root_evaluates ? 1 : 0);
    std::size_t next = 0;  // rows before it are handed out
    auto chunk_size = [&] {
      return detail::next_chunk(rows - next, evaluators, options.chunk_rows);
    };
    version_at.resize(workers + 1, 0);
    std::vector<std::size_t> in_flight(workers + 1, 0);
    std::size_t done = 0;

    // Keeps two chunks at every worker, so that it never waits for a round trip to rank 0.
    auto feed = [&] {
      for (std::size_t w = 1; w <= workers && next < rows; ++w)
        while (in_flight[w] < 2 && next < rows) {
          if (version_at[w] != contexts.version()) {
            send(static_cast<int>(w), tag_context, context_message);
            version_at[w] = contexts.version();
          }
          const std::size_t first = next, count = chunk_size();
          next += count;
          std::vector<double> m{std::bit_cast<double>(contexts.version()),
                                static_cast<double>(first), static_cast<double>(count),
                                static_cast<double>(input.cols()),
                                static_cast<double>(output.cols())};
          const double* from = input.row(static_cast<Eigen::Index>(first)).data();
          m.insert(m.end(), from, from + count * static_cast<std::size_t>(input.cols()));
          send(static_cast<int>(w), tag_rows, std::move(m));
          ++in_flight[w];
        }
    };
    auto take = [&](const bmpi::status& probed) {
      const std::vector<double> m = receive(leaders, probed);
      const std::size_t first = as_size(m[0]), count = as_size(m[1]);
      const auto out_cols = static_cast<std::size_t>(output.cols());
      std::memcpy(output.row(static_cast<Eigen::Index>(first)).data(), m.data() + 3,
                  sizeof(double) * count * out_cols);
      if (m[2] >= 0.0) {
        std::span<const double> rest = std::span<const double>(m).subspan(3 + count * out_cols);
        detail::FlatReader in(rest, "an error report from a rank");
        errors.record(first + as_size(m[2]), detail::revive(in.read<detail::CarriedError>(),
                                                            "a task threw on MPI rank " +
                                                                std::to_string(probed.source())));
      }
      --in_flight[static_cast<std::size_t>(probed.source())];
      done += count;
    };

    // Rank 0's rows: one per thread at a time, so that it answers messages between them; on
    // the helper thread once a row is seen to cost more than 200 us (a hand-off costs ~50 us).
    std::size_t helper_count = 0;  // rows the helper is running
    const bool may_help = group.size() == 1;
    // The helper's job refers to this frame: never leave while it runs (an MPI error below).
    struct AwaitHelper {
      const std::optional<Helper>& helper;
      ~AwaitHelper() {
        while (helper && helper->busy()) std::this_thread::yield();
      }
    } await_helper{helper};
    while (done < rows) {
      feed();
      while (auto probed = leaders.iprobe(bmpi::any_source, tag_done)) take(*probed);
      if (helper_count > 0) {
        if (helper->busy()) {
          std::this_thread::sleep_for(std::chrono::microseconds(50));  // leave it the core
          continue;
        }
        done += helper_count;
        helper_count = 0;
      }
      if (done == rows) break;
      if (options.root_evaluates && next < rows) {
        const std::size_t first = next, n = std::min(rows - next, options.threads_per_rank);
        next += n;
        auto evaluate = [&, first, n] {
          const auto start = std::chrono::steady_clock::now();
          const auto f = static_cast<Eigen::Index>(first), c = static_cast<Eigen::Index>(n);
          RowMatrix in = input.middleRows(f, c), out(c, output.cols());
          run_rows(task, in, out, first, errors);
          output.middleRows(f, c) = out;
          local_row_seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
              static_cast<double>(n);
        };
        if (may_help && local_row_seconds > 200e-6) {
          if (!helper) helper.emplace();
          helper_count = n;
          helper->start(evaluate);
        } else {
          evaluate();
          done += n;
        }
        continue;
      }
      take(leaders.probe(bmpi::any_source, tag_done));
    }
    finish_sends();
    errors.rethrow_if_any();
  }

  void end_service(int tag, GroupMessage kind, const std::vector<double>& message) {
    group_send(kind, message);
    for (int w = 1; w < leaders.size(); ++w) send(w, tag, message);
    finish_sends();
    // The other ranks leave serve() and forget their task: the next run's first batch must
    // send its context again, even if it is the same (two Batch runs in a row).
    contexts.forget();
    std::fill(version_at.begin(), version_at.end(), 0);
  }
};

}  // namespace detail::mpi_impl

PARNEST_INLINE MPI_Comm group_communicator() noexcept {
  return detail::mpi_impl::current_group;
}

struct MpiPool::Impl : detail::mpi_impl::PoolState {
  using PoolState::PoolState;
};

PARNEST_INLINE MpiPool::MpiPool() : MpiPool(Options{}) {}
PARNEST_INLINE MpiPool::MpiPool(Options options) : impl_(std::make_unique<Impl>(options)) {}
PARNEST_INLINE MpiPool::~MpiPool() = default;

PARNEST_INLINE std::size_t MpiPool::size() const noexcept {
  return impl_->groups() * impl_->options.threads_per_rank;
}

PARNEST_INLINE void MpiPool::map(const Task& task, const RowMatrix& input, RowMatrix& output) {
  if (!leads())
    throw PoolError("MpiPool::map called on rank " + std::to_string(rank()) +
                    ": only rank 0 maps batches, the other ranks serve()");
  impl_->map(task, input, output);
}

PARNEST_INLINE std::string MpiPool::describe() const {
  std::string out = "mpi(" + std::to_string(ranks()) + " ranks";
  if (impl_->options.group_size > 1)
    out += " in groups of " + std::to_string(impl_->options.group_size);
  if (impl_->options.threads_per_rank > 1)
    out += " x " + std::to_string(impl_->options.threads_per_rank) + " threads";
  return out + ")";
}

PARNEST_INLINE bool MpiPool::runs_threads_concurrently() const noexcept {
  return impl_->options.threads_per_rank > 1;
}

PARNEST_INLINE std::vector<std::string> MpiPool::take_warnings() {
  return {};
}

PARNEST_INLINE void MpiPool::begin() {
  using namespace std::chrono;
  MPI_Request request;
  MPI_Ibarrier(impl_->comm, &request);
  const auto start = steady_clock::now();
  const duration<double> every(impl_->options.wait_report_seconds);
  auto next_report = start + duration_cast<steady_clock::duration>(every);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    const auto now = steady_clock::now();
    if (now - start < milliseconds(1)) continue;  // the usual case: everyone is almost there
    if (every.count() > 0 && now >= next_report) {
      detail::mpi_impl::tell_waiting(
          *impl_->logger, rank(), ranks(), duration<double>(now - start).count(),
          "for the other ranks to call Sampler::run(): every rank must call run(), "
          "with the same options and in the same order (not only rank 0)");
      next_report += duration_cast<steady_clock::duration>(every);
    }
    std::this_thread::sleep_for(microseconds(200));
  }
}

PARNEST_INLINE bool MpiPool::leads() const noexcept {
  return impl_->comm.rank() == 0;
}

PARNEST_INLINE std::vector<double> MpiPool::serve(const void* anchor) {
  if (leads()) throw PoolError("MpiPool::serve called on rank 0, which leads the run");
  return impl_->group_leader ? impl_->serve_as_leader(anchor) : impl_->serve_in_group(anchor);
}

PARNEST_INLINE void MpiPool::release(const std::vector<double>& data) {
  impl_->end_service(detail::mpi_impl::tag_release, detail::mpi_impl::GroupMessage::release, data);
}

PARNEST_INLINE void MpiPool::abandon(std::exception_ptr error) noexcept {
  try {
    std::vector<double> message;
    detail::FlatWriter out(message);
    out.object(detail::carry(error));
    impl_->end_service(detail::mpi_impl::tag_abandon, detail::mpi_impl::GroupMessage::abandon,
                       message);
  } catch (...) {
    // The error being thrown on rank 0 matters more than telling the others: MPI aborts the
    // job when rank 0 leaves with an uncaught exception.
  }
}

PARNEST_INLINE int MpiPool::rank() const noexcept {
  return impl_->comm.rank();
}
PARNEST_INLINE int MpiPool::ranks() const noexcept {
  return impl_->comm.size();
}

namespace detail {

PARNEST_INLINE std::shared_ptr<Pool> mpi_launcher_pool(const Environment& env,
                                                       std::size_t threads_per_rank,
                                                       const std::shared_ptr<Pool>& previous,
                                                       std::shared_ptr<Logger> logger) {
  if (auto* same = dynamic_cast<MpiPool*>(previous.get());
      same && same->size() == threads_per_rank * static_cast<std::size_t>(same->ranks()))
    return previous;
  MpiPool::Options options;
  options.threads_per_rank = threads_per_rank;
  options.logger = std::move(logger);
  mpi_impl::ensure_mpi(options);
  int size = 0, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (size != env.size || rank != env.rank)
    throw ConfigError("the launch variables say this is rank " + std::to_string(env.rank) + " of " +
                      std::to_string(env.size) + " (" + env.launcher +
                      ") but MPI_COMM_WORLD has rank " + std::to_string(rank) + " of " +
                      std::to_string(size) +
                      ": parnest's MPI library is not the launcher's (rebuild against it)");
  return std::make_shared<MpiPool>(options);
}

}  // namespace detail
}  // namespace parnest
