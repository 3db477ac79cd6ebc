#include "rtm/send_queue.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using presence::api::rtm::send_queue;

TEST(rtm_send_queue, queues_in_order_and_counts_bytes) {
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

TEST(rtm_send_queue, refuses_a_push_that_passes_the_bound) {
  send_queue queue{10};
  EXPECT_TRUE(queue.push(std::string(6, 'a')));
  EXPECT_TRUE(queue.push(std::string(4, 'b'))) << "exactly at the bound is fine";
  EXPECT_FALSE(queue.push("c")) << "one byte past the bound";
  EXPECT_EQ(queue.bytes(), 10u) << "the refused frame is not kept";
  EXPECT_EQ(queue.frames(), 2u);
}

TEST(rtm_send_queue, memory_stays_bounded_under_a_flood) {
  send_queue queue{1000};
  std::size_t accepted = 0;
  for (int i = 0; i < 100000; ++i)
    if (queue.push(std::string(30, 'x')))
      ++accepted;
  EXPECT_EQ(accepted, 33u);
  EXPECT_LE(queue.bytes(), 1000u);
}

TEST(rtm_send_queue, an_empty_queue_takes_one_oversized_frame) {
  send_queue queue{10};
  EXPECT_TRUE(queue.push(std::string(50, 'a')));
  EXPECT_FALSE(queue.push("b"));
}

TEST(rtm_send_queue, drop_unsent_keeps_the_frame_in_flight) {
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
