// The bound on the RTM sessions' engine-call pool: a full queue refuses optional calls at once
// instead of growing, and never refuses a required one.

#include "rtm/engine_offload.hpp"

#include <atomic>
#include <future>

#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

namespace presence::api::rtm {
namespace {

TEST(engine_offload, a_full_queue_refuses_optional_calls_and_takes_required_ones) {
  boost::asio::thread_pool pool{1};
  offload_gate gate{2};
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};

  // The first call holds the pool's only thread until released; the second waits behind it.
  ASSERT_TRUE(gate.post(pool.get_executor(), [&, released] {
    started.set_value();
    released.wait();
    ++ran;
  }));
  started.get_future().wait();
  ASSERT_TRUE(gate.post(pool.get_executor(), [&] { ++ran; }));
  EXPECT_EQ(gate.pending(), 2u);

  EXPECT_FALSE(gate.post(pool.get_executor(), [&] { ++ran; })) << "the queue is full";
  EXPECT_EQ(gate.pending(), 2u) << "a refused call is not counted";
  EXPECT_TRUE(gate.post(pool.get_executor(), [&] { ++ran; }, true)) << "required calls pass";
  EXPECT_EQ(gate.pending(), 3u);

  release.set_value();
  pool.join();
  EXPECT_EQ(ran.load(), 3) << "every accepted call ran, the refused one did not";
  EXPECT_EQ(gate.pending(), 0u);
}

TEST(engine_offload, a_drained_queue_accepts_again) {
  boost::asio::thread_pool pool{1};
  offload_gate gate{1};
  std::promise<void> done;
  ASSERT_TRUE(gate.post(pool.get_executor(), [&] { done.set_value(); }));
  done.get_future().wait();
  pool.join();  // the counter drops after the call returns
  EXPECT_EQ(gate.pending(), 0u);
  boost::asio::thread_pool second{1};
  EXPECT_TRUE(gate.post(second.get_executor(), [] {}));
  second.join();
}

} // namespace
} // namespace presence::api::rtm
