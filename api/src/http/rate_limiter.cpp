#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace presence::api::http {

rate_limiter::rate_limiter(double rate_per_s, double burst)
  : rate_(rate_per_s), burst_(std::max(1.0, burst)) {
}

void rate_limiter::refund(const std::string& key) {
  if (rate_ <= 0)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = buckets_.find(key);
  if (it != buckets_.end())
    it->second.tokens = std::min(burst_, it->second.tokens + 1.0);
}

int rate_limiter::acquire(const std::string& key, double now_s) {
  if (rate_ <= 0)
    return 0;
  std::lock_guard<std::mutex> guard{mutex_};
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now_s});
  auto& b = it->second;
  if (!fresh) {
    // A clock that went backwards refills nothing rather than draining the bucket.
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, now_s - b.updated_s) * rate_);
    b.updated_s = std::max(b.updated_s, now_s);
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    if (buckets_.size() >= purge_at_)
      purge_full_locked(now_s);
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

std::size_t rate_limiter::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return buckets_.size();
}

void rate_limiter::purge_full_locked(double now_s) {
  // A bucket that has refilled completely is indistinguishable from a fresh one: drop it.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const auto& b = it->second;
    if (b.tokens + std::max(0.0, now_s - b.updated_s) * rate_ >= burst_)
      it = buckets_.erase(it);
    else
      ++it;
  }
  // Keep purging cheap: the next sweep waits until the map doubles past what survived.
  purge_at_ = std::max<std::size_t>(1024, buckets_.size() * 2);
}

} // namespace presence::api::http
