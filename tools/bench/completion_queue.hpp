#pragma once

// Hands completions from engine callbacks (CAF worker threads) back to the driving thread, as the
// engine's contract asks: callbacks must not block, and new commands are issued from our own loop.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "presence/events/result.hpp"

namespace presence::bench {

/// A multi-producer, single-consumer queue of finished command tags. Thread-safe.
class completion_queue {
 public:
  /// Records that the command tagged `tag` finished with `outcome` (any thread; never blocks long).
  void push(uint64_t tag, const status& outcome) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!outcome) {
      ++failed_;
      if (first_error_.empty())
        first_error_ = describe(outcome.error());
    }
    bool was_empty = done_.empty();
    done_.push_back(tag);
    if (was_empty)
      ready_.notify_one();
  }

  /// Moves every finished tag into `out` (cleared first), waiting up to `timeout` for one.
  /// Returns false on timeout with nothing finished.
  bool take(std::vector<uint64_t>& out, std::chrono::milliseconds timeout) {
    out.clear();
    std::unique_lock<std::mutex> lock{mutex_};
    if (!ready_.wait_for(lock, timeout, [&] { return !done_.empty(); }))
      return false;
    out.swap(done_);
    return true;
  }

  uint64_t failed() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return failed_;
  }
  std::string first_error() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return first_error_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<uint64_t> done_;
  uint64_t failed_ = 0;
  std::string first_error_;
};

} // namespace presence::bench
