#pragma once

// A token bucket for per-session request rates (presence_sub / presence_query). Time is a
// parameter, so the bucket is a pure value that tests drive without a clock.

#include <cstdint>

namespace presence::api::rtm {

/// Allows `rate_per_s` requests per second on average and bursts of up to `rate_per_s`
/// (at least 1). A rate of 0 or less allows everything. Not thread-safe.
class token_bucket {
 public:
  explicit token_bucket(int rate_per_s) noexcept;

  /// Takes one token at instant `now_us` (monotonic µs); false when none is left.
  [[nodiscard]] bool try_take(int64_t now_us) noexcept;

 private:
  double rate_per_us_;
  double capacity_;
  double tokens_;
  int64_t last_us_ = 0;
  bool started_ = false;
};

} // namespace presence::api::rtm
