#pragma once

// Every live real-time session of the process, so the server can close them all on shutdown and
// wait until the engine has logged their disconnects. Thread-safe (one mutex; touched once at a
// session's start and once at its end).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace presence::api::rtm {

class session;

class session_registry {
 public:
  /// The process-wide registry.
  static session_registry& instance();

  /// Registers a starting session; the id is given back to `remove`.
  uint64_t add(std::weak_ptr<session> entry);
  /// A session is gone (from its destructor: every engine call it made has answered). Idempotent.
  void remove(uint64_t id);
  /// The sessions still alive.
  std::vector<std::shared_ptr<session>> live() const;
  /// Sessions registered and not yet removed.
  std::size_t size() const;
  /// Counts one more session of `user` unless `cap` (> 0) are already counted.
  bool reserve(const std::string& user, std::size_t cap);
  /// A session of `user` ended (from its destructor).
  void release(const std::string& user);
  /// Sessions of `user` counted.
  std::size_t count(const std::string& user) const;
  /// Blocks until `size() == 0` or `timeout` passes; true when empty.
  bool wait_empty(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<session>> sessions_;
  std::unordered_map<std::string, std::size_t> per_user_;
};

} // namespace presence::api::rtm
