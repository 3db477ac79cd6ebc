#pragma once

// A token-bucket rate limit per key (a token's hash). Time is a parameter, so tests drive it.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace presence::api::http {

class rate_limiter {
 public:
  /// `rate_per_s` tokens refill per second up to `burst`; a rate of 0 disables the limit.
  rate_limiter(double rate_per_s, double burst);

  /// Takes one token from `key`'s bucket at `now_s` (seconds on any monotonic clock). Returns 0
  /// when allowed, else the whole seconds (>= 1) to wait before a token is available (the
  /// `Retry-After` value). Thread-safe.
  int acquire(const std::string& key, double now_s);

  /// Gives back one token taken by `acquire` (up to the burst): the action it paid for turned
  /// out not to count. Thread-safe.
  void refund(const std::string& key);

  /// Buckets currently held (full buckets are dropped as the map grows).
  std::size_t size() const;

 private:
  struct bucket {
    double tokens = 0;
    double updated_s = 0;
  };
  void purge_full_locked(double now_s);

  double rate_;
  double burst_;
  std::size_t purge_at_ = 1024;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

} // namespace presence::api::http
