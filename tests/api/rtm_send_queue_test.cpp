#include "rtm/send_queue.hpp"
#include "rtm/token_bucket.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using presence::api::rtm::send_queue;
using presence::api::rtm::token_bucket;

TEST(RtmSendQueueTest, QueuesInOrderAndCountsBytes) {
  send_queue queue{100};
  EXPECT_TRUE(queue.push("aaaa"));
  EXPECT_TRUE(queue.push("bb"));
  EXPECT_EQ(queue.frames(), 2u);
  EXPECT_EQ(queue.bytes(), 6u);
  EXPECT_EQ(queue.front(), "aaaa");
  queue.pop();
  EXPECT_EQ(queue.front(), "bb");
  EXPECT_EQ(queue.bytes(), 2u);
  queue.pop();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(RtmSendQueueTest, RefusesAPushThatPassesTheBound) {
  send_queue queue{10};
  EXPECT_TRUE(queue.push(std::string(6, 'a')));
  EXPECT_TRUE(queue.push(std::string(4, 'b'))) << "exactly at the bound is fine";
  EXPECT_FALSE(queue.push("c")) << "one byte past the bound";
  EXPECT_EQ(queue.bytes(), 10u) << "the refused frame is not kept";
  EXPECT_EQ(queue.frames(), 2u);
}

TEST(RtmSendQueueTest, MemoryStaysBoundedUnderAFlood) {
  send_queue queue{1000};
  std::size_t accepted = 0;
  for (int i = 0; i < 100000; ++i)
    if (queue.push(std::string(30, 'x')))
      ++accepted;
  EXPECT_EQ(accepted, 33u);
  EXPECT_LE(queue.bytes(), 1000u);
}

TEST(RtmSendQueueTest, AnEmptyQueueTakesOneOversizedFrame) {
  send_queue queue{10};
  EXPECT_TRUE(queue.push(std::string(50, 'a')));
  EXPECT_FALSE(queue.push("b"));
}

TEST(RtmSendQueueTest, DropUnsentKeepsTheFrameInFlight) {
  send_queue queue{100};
  ASSERT_TRUE(queue.push("front"));
  ASSERT_TRUE(queue.push("second"));
  ASSERT_TRUE(queue.push("third"));
  queue.drop_unsent(true);
  ASSERT_EQ(queue.frames(), 1u);
  EXPECT_EQ(queue.front(), "front");
  EXPECT_EQ(queue.bytes(), 5u);
  queue.drop_unsent(false);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

constexpr int64_t second = 1'000'000;

TEST(RtmTokenBucketTest, AllowsABurstThenTheRate) {
  token_bucket bucket{5};
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(bucket.try_take(0)) << i;
  EXPECT_FALSE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(second / 10)) << "half a token after 100 ms";
  EXPECT_TRUE(bucket.try_take(second / 5)) << "one token after 200 ms";
  EXPECT_FALSE(bucket.try_take(second / 5));
}

TEST(RtmTokenBucketTest, RefillIsCappedAtTheBurst) {
  token_bucket bucket{2};
  EXPECT_TRUE(bucket.try_take(0));
  int allowed = 0;
  for (int i = 0; i < 10; ++i)
    allowed += bucket.try_take(100 * second) ? 1 : 0;
  EXPECT_EQ(allowed, 2);
}

TEST(RtmTokenBucketTest, ClockGoingBackwardsAddsNothing) {
  token_bucket bucket{1};
  EXPECT_TRUE(bucket.try_take(10 * second));
  EXPECT_FALSE(bucket.try_take(5 * second));
  EXPECT_FALSE(bucket.try_take(10 * second));
  EXPECT_TRUE(bucket.try_take(11 * second));
}

TEST(RtmTokenBucketTest, ZeroRateAllowsEverything) {
  token_bucket bucket{0};
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(bucket.try_take(0));
}

} // namespace
