#include "token_bucket.hpp"

#include <algorithm>

namespace presence::api::rtm {

token_bucket::token_bucket(int rate_per_s) noexcept
  : rate_per_us_(rate_per_s > 0 ? rate_per_s / 1e6 : 0.0),
    capacity_(std::max(rate_per_s, 1)),
    tokens_(capacity_) {}

bool token_bucket::try_take(int64_t now_us) noexcept {
  if (rate_per_us_ <= 0.0)
    return true;
  if (started_ && now_us > last_us_)
    tokens_ = std::min(capacity_, tokens_ + (now_us - last_us_) * rate_per_us_);
  if (!started_ || now_us > last_us_)
    last_us_ = now_us;
  started_ = true;
  if (tokens_ < 1.0)
    return false;
  tokens_ -= 1.0;
  return true;
}

} // namespace presence::api::rtm
