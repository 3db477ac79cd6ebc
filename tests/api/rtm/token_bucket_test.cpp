#include "rtm/token_bucket.hpp"

#include <gtest/gtest.h>

namespace {

using presence::api::rtm::token_bucket;

constexpr int64_t second = 1'000'000;

TEST(rtm_token_bucket, allows_a_burst_then_the_rate) {
  token_bucket bucket{5};
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(bucket.try_take(0)) << i;
  EXPECT_FALSE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(second / 10)) << "half a token after 100 ms";
  EXPECT_TRUE(bucket.try_take(second / 5)) << "one token after 200 ms";
  EXPECT_FALSE(bucket.try_take(second / 5));
}

TEST(rtm_token_bucket, refill_is_capped_at_the_burst) {
  token_bucket bucket{2};
  EXPECT_TRUE(bucket.try_take(0));
  int allowed = 0;
  for (int i = 0; i < 10; ++i)
    allowed += bucket.try_take(100 * second) ? 1 : 0;
  EXPECT_EQ(allowed, 2);
}

TEST(rtm_token_bucket, clock_going_backwards_adds_nothing) {
  token_bucket bucket{1};
  EXPECT_TRUE(bucket.try_take(10 * second));
  EXPECT_FALSE(bucket.try_take(5 * second));
  EXPECT_FALSE(bucket.try_take(10 * second));
  EXPECT_TRUE(bucket.try_take(11 * second));
}

TEST(rtm_token_bucket, zero_rate_allows_everything) {
  token_bucket bucket{0};
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(bucket.try_take(0));
}

} // namespace
