#include "rtm/send_queue.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using presence::api::rtm::send_queue;

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

} // namespace
