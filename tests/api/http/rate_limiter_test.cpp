#include "http/rate_limiter.hpp"

#include <string>

#include <gtest/gtest.h>

namespace presence::api::http {
namespace {

TEST(rate_limiter, allows_a_burst_then_refuses_with_retry_after) {
  rate_limiter limiter{1.0, 3};
  EXPECT_EQ(limiter.acquire("t", 100.0), 0);
  EXPECT_EQ(limiter.acquire("t", 100.0), 0);
  EXPECT_EQ(limiter.acquire("t", 100.0), 0);
  EXPECT_EQ(limiter.acquire("t", 100.0), 1);
  // Half a token later: still refused, one second to wait (rounded up).
  EXPECT_EQ(limiter.acquire("t", 100.5), 1);
  EXPECT_EQ(limiter.acquire("t", 101.0), 0);
}

TEST(rate_limiter, keys_are_independent) {
  rate_limiter limiter{1.0, 1};
  EXPECT_EQ(limiter.acquire("a", 0.0), 0);
  EXPECT_EQ(limiter.acquire("a", 0.0), 1);
  EXPECT_EQ(limiter.acquire("b", 0.0), 0);
}

TEST(rate_limiter, slow_rates_give_long_retry_after) {
  rate_limiter limiter{0.1, 1};
  EXPECT_EQ(limiter.acquire("t", 0.0), 0);
  EXPECT_EQ(limiter.acquire("t", 0.0), 10);
}

TEST(rate_limiter, refills_up_to_the_burst_only) {
  rate_limiter limiter{10.0, 2};
  EXPECT_EQ(limiter.acquire("t", 0.0), 0);
  // A long pause refills to the burst (2), not more.
  EXPECT_EQ(limiter.acquire("t", 1000.0), 0);
  EXPECT_EQ(limiter.acquire("t", 1000.0), 0);
  EXPECT_GT(limiter.acquire("t", 1000.0), 0);
}

TEST(rate_limiter, a_clock_going_back_refills_nothing) {
  rate_limiter limiter{1.0, 1};
  EXPECT_EQ(limiter.acquire("t", 50.0), 0);
  EXPECT_GT(limiter.acquire("t", 10.0), 0);
}

TEST(rate_limiter, zero_rate_disables_the_limit) {
  rate_limiter limiter{0, 1};
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(limiter.acquire("t", 0.0), 0);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(rate_limiter, drops_full_buckets_as_keys_pile_up) {
  rate_limiter limiter{1.0, 1};
  for (int i = 0; i < 5000; ++i)
    ASSERT_EQ(limiter.acquire("key" + std::to_string(i), double(i)), 0);
  // Each key refilled a second after its use, so most were purged along the way.
  EXPECT_LT(limiter.size(), 2100u);
}

TEST(rate_limiter, a_refund_gives_back_one_token_up_to_the_burst) {
  rate_limiter limiter{0.5, 2};
  EXPECT_EQ(limiter.acquire("addr", 0.0), 0);
  EXPECT_EQ(limiter.acquire("addr", 0.0), 0);
  EXPECT_EQ(limiter.acquire("addr", 0.0), 2) << "empty: a token in 2 s at 0.5/s";
  limiter.refund("addr");
  EXPECT_EQ(limiter.acquire("addr", 0.0), 0) << "the refunded token";
  limiter.refund("addr");
  limiter.refund("addr");
  limiter.refund("addr");
  EXPECT_EQ(limiter.acquire("addr", 0.0), 0);
  EXPECT_EQ(limiter.acquire("addr", 0.0), 0);
  EXPECT_GT(limiter.acquire("addr", 0.0), 0) << "refunds stop at the burst";
  limiter.refund("unknown");  // nothing to give back
  EXPECT_EQ(limiter.acquire("unknown", 0.0), 0);
}

} // namespace
} // namespace presence::api::http
