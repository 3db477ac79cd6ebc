#pragma once

// The engine's blocking calls (subscribe, set_subscription, unsubscribe, settings, service) must
// not run on an I/O thread: they run on a small pool shared by every session. A session posts
// through its own strand of the pool, so its calls stay in order.
//
// The pool's queue is bounded: `offload_gate` counts the calls queued or running, and a session
// whose optional call finds it full answers `busy` instead of queueing (a slow engine cannot make
// the queue grow without end). A call that releases engine state (unsubscribe) is never refused.
//
// Lifetime: a thread that made a blocking engine call keeps CAF per-thread state that the engine's
// actor system waits for when it is destroyed, so the pool's threads must have exited before the
// engine is destroyed: `retire_offload_pool` (called by `wait_sessions_finished`) does that.

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace presence::api::rtm {

/// The pool new sessions use: two threads, created on first use, and again after a retirement.
/// Sessions hold the pointer, so a retired pool outlives every session that used it.
std::shared_ptr<boost::asio::thread_pool> offload_pool();

/// Retires the current pool: when `abandon_queued`, calls not yet started are dropped; the
/// threads then finish what they run and exit, and this waits for them. Blocking; call it from
/// a non-I/O thread.
void retire_offload_pool(bool abandon_queued);

/// A bound on the calls queued or running on an executor. Thread-safe.
class offload_gate {
 public:
  /// At most `limit` calls at once (0 = none refused).
  explicit offload_gate(std::size_t limit) : limit_(limit) {}

  /// Posts `job` to `executor` unless `limit` calls are already queued or running; `required`
  /// jobs are posted (and counted) whatever the count. Returns whether `job` was posted.
  template <class Executor, class Job>
  bool post(const Executor& executor, Job&& job, bool required = false) {
    if (!required && limit_ != 0 && pending_.fetch_add(1) >= limit_) {
      pending_.fetch_sub(1);
      return false;
    }
    if (required || limit_ == 0)
      pending_.fetch_add(1);
    boost::asio::post(executor, [this, job = std::forward<Job>(job)]() mutable {
      job();
      pending_.fetch_sub(1);
    });
    return true;
  }

  /// Calls queued or running now.
  std::size_t pending() const { return pending_.load(); }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> pending_{0};
};

} // namespace presence::api::rtm
