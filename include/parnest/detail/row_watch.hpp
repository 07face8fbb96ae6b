#pragma once
// RunOptions::row_timeout for likelihood calls made in this process (serial, threads, MPI
// ranks): a thread cannot be stopped safely, so a watcher thread reports each call that runs
// past the limit, naming its point, while the run waits for it. Worker processes are killed
// and retried by ProcessPool instead (pool/process.hpp).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "parnest/detail/text.hpp"

namespace parnest::detail {

class RowWatch;
/// The watch of the run in progress (nullptr: none), read by every likelihood call.
inline std::atomic<RowWatch*> active_row_watch{nullptr};

class RowWatch {
 public:
  using Clock = std::chrono::steady_clock;

 private:
  // One per thread that made a call: the call it is in, if any.
  struct Slot {
    std::mutex mutex;
    std::vector<double> theta;
    std::size_t rows = 1;
    Clock::time_point started;
    bool busy = false;
    int reported = 0;  // reports of this call so far
  };
  static constexpr std::size_t max_threads = 512;

 public:
  /// Watches calls while it lives, if `timeout` > 0; `describe` names a call's point, `warn`
  /// tells the user (from the watcher thread).
  RowWatch(double timeout, std::function<std::string(std::span<const double>)> describe,
           std::function<void(const std::string&)> warn)
      : timeout_(timeout), describe_(std::move(describe)), warn_(std::move(warn)) {
    if (!(timeout_ > 0.0)) return;
    slots_ = std::make_unique<Slot[]>(max_threads);
    previous_ = active_row_watch.exchange(this);
    thread_ = std::thread([this] { watch(); });
  }
  ~RowWatch() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    active_row_watch.store(previous_);
  }
  RowWatch(const RowWatch&) = delete;
  RowWatch& operator=(const RowWatch&) = delete;

  /// Marks the calling thread as inside a call at `theta` (the first of `rows` points) until
  /// it ends. Threads beyond the slots go unwatched.
  class Call {
   public:
    Call(RowWatch* watch, std::span<const double> theta, std::size_t rows) {
      if (!watch) return;
      slot_ = watch->slot();
      if (!slot_) return;
      std::lock_guard lock(slot_->mutex);
      slot_->theta.assign(theta.begin(), theta.end());
      slot_->rows = rows;
      slot_->started = Clock::now();
      slot_->busy = true;
      slot_->reported = 0;
    }
    ~Call() {
      if (!slot_) return;
      std::lock_guard lock(slot_->mutex);
      slot_->busy = false;
    }
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

   private:
    Slot* slot_ = nullptr;
  };

  /// What the run adds to Result::warnings: how many calls ran long, the longest and where.
  std::vector<std::string> warnings() const {
    std::lock_guard lock(mutex_);
    if (overdue_ == 0) return {};
    return {std::to_string(overdue_) + " likelihood call" + (overdue_ > 1 ? "s" : "") +
            " ran longer than row_timeout = " + text(timeout_) + " s per point; the longest " +
            tenths(longest_) + " s or more, at " + longest_at_};
  }

 private:
  friend class Call;

  // A watch made later at the same address is told apart by its id.
  Slot* slot() {
    thread_local std::uint64_t owner = 0;
    thread_local Slot* mine = nullptr;
    if (owner != id_) {
      owner = id_;
      const std::size_t i = used_.fetch_add(1);
      mine = i < max_threads ? &slots_[i] : nullptr;
    }
    return mine;
  }

  void watch() {
    const auto every = std::chrono::duration<double>(std::min(timeout_ / 4.0, 1.0));
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, every, [this] { return stop_; })) {
      lock.unlock();
      const std::size_t n = std::min(used_.load(), max_threads);
      for (std::size_t i = 0; i < n; ++i) check(slots_[i]);
      lock.lock();
    }
  }

  static std::string tenths(double s) { return fixed(s, 1); }

  // Reports a call once per row_timeout x rows it has run, with the seconds so far.
  void check(Slot& s) {
    std::string report;
    double seconds = 0.0;
    bool first = false;
    {
      std::lock_guard lock(s.mutex);
      if (!s.busy) return;
      seconds = std::chrono::duration<double>(Clock::now() - s.started).count();
      const double limit = timeout_ * static_cast<double>(s.rows);
      if (seconds < limit * (s.reported + 1)) return;
      first = ++s.reported == 1;
      report = describe_(s.theta) +
               (s.rows > 1 ? " (the first of a block of " + std::to_string(s.rows) + " points)"
                           : std::string());
    }
    warn_("a likelihood call has run for " + tenths(seconds) +
          " s (row_timeout = " + text(timeout_) + " s per point) at " + report +
          ": it may hang there. A thread cannot be stopped safely, so the run waits for it; a "
          "model with thread_safe = false runs on worker processes, which are killed and "
          "retried instead");
    std::lock_guard lock(mutex_);
    if (seconds > longest_) {
      longest_ = seconds;
      longest_at_ = report;
    }
    overdue_ += first ? 1 : 0;
  }

  double timeout_;
  std::function<std::string(std::span<const double>)> describe_;
  std::function<void(const std::string&)> warn_;
  RowWatch* previous_ = nullptr;
  // Not next_instance_id(): that count tells ProcessPool to fork fresh workers.
  std::uint64_t id_ = [] {
    static std::atomic<std::uint64_t> made{0};
    return ++made;
  }();
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::size_t> used_{0};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::size_t overdue_ = 0;
  double longest_ = 0.0;
  std::string longest_at_;
  std::thread thread_;
};

}  // namespace parnest::detail
