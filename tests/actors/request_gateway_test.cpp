// The request gateway on the real scheduler: every handler runs exactly once — with its own
// reply, the actor's error, a timeout, or shutting_down — from many threads at once.

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "errors.hpp"
#include "register_types.hpp"
#include "request_gateway.hpp"

namespace presence::test {
namespace {

using namespace std::chrono_literals;
using actors::request_gateway;

struct real_system_config : caf::actor_system_config {
  real_system_config() {
    actors::register_types(*this);
    set("scheduler.max-threads", 2);
  }
};

using hold_atom = caf::atom_constant<caf::atom("hold")>;
using release_atom = caf::atom_constant<caf::atom("release")>;

struct holder_state {
  std::vector<caf::response_promise> held;
};

/// `(int x) -> 2x`; `(hold_atom)` is never answered until `(release_atom)` answers the held ones
/// with 7; `(std::string)` is refused with `unknown_user`.
caf::behavior holder(caf::stateful_actor<holder_state>* self) {
  return {
    [](int x) { return 2 * x; },
    [=](hold_atom) {
      auto promise = self->make_response_promise();
      self->state.held.push_back(promise);
      return promise;
    },
    [=](release_atom) {
      for (auto& promise : self->state.held)
        promise.deliver(7);
      self->state.held.clear();
    },
    [](const std::string& user) -> caf::result<int> {
      return actors::make_caf_error(errc::unknown_user, user);
    },
  };
}

/// The first outcome a handler saw, and how many times it ran.
struct probe {
  std::atomic<int> calls{0};
  std::promise<caf::expected<caf::message>> first;

  request_gateway::reply_handler handler() {
    return [this](caf::expected<caf::message> reply) {
      if (calls.fetch_add(1) == 0)
        first.set_value(std::move(reply));
    };
  }
  /// The first outcome, waiting at most `limit` for it.
  caf::expected<caf::message> wait(std::chrono::milliseconds limit = 10s) {
    auto future = first.get_future();
    if (future.wait_for(limit) != std::future_status::ready)
      return caf::make_error(caf::sec::runtime_error, "no reply");
    return future.get();
  }
};

class request_gateway_test : public ::testing::Test {
 protected:
  real_system_config cfg_;
  caf::actor_system sys_{cfg_};
  caf::actor actor_ = sys_.spawn(holder);

  ~request_gateway_test() override { caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown); }
};

TEST_F(request_gateway_test, each_reply_reaches_its_own_handler_from_many_threads) {
  request_gateway gateway{sys_, 30s};
  constexpr int threads = 4;
  constexpr int per_thread = 2000;
  std::atomic<int> right{0};
  std::atomic<int> wrong{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{threads * per_thread};
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        int x = t * per_thread + i;
        gateway.request(
          actor_,
          [&, x](caf::expected<caf::message> reply) {
            if (reply && reply->match_elements<int>() && reply->get_as<int>(0) == 2 * x)
              ++right;
            else
              ++wrong;
            if (--remaining == 0)
              all_done.set_value();
          },
          x);
      }
    });
  for (auto& sender : senders)
    sender.join();
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready)
    << remaining.load() << " handlers did not run";
  EXPECT_EQ(right.load(), threads * per_thread);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(gateway.pending(), 0u);
}

TEST_F(request_gateway_test, an_error_reply_reaches_the_handler_as_the_error) {
  request_gateway gateway{sys_, 30s};
  probe p;
  gateway.request(actor_, p.handler(), std::string{"U9"});
  auto reply = p.wait();
  ASSERT_FALSE(reply);
  EXPECT_EQ(actors::from_caf_error(reply.error()).code, errc::unknown_user);
  EXPECT_EQ(p.calls.load(), 1);
}

TEST_F(request_gateway_test, an_unanswered_request_times_out_once_and_its_late_reply_is_dropped) {
  request_gateway gateway{sys_, 100ms};
  probe held;
  auto sent = std::chrono::steady_clock::now();
  gateway.request(actor_, held.handler(), hold_atom::value);
  auto reply = held.wait();
  auto waited = std::chrono::steady_clock::now() - sent;
  ASSERT_FALSE(reply);
  EXPECT_EQ(actors::from_caf_error(reply.error()).code, errc::timeout);
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 5s);
  // The late reply is sent before the next request's reply, so once that one has arrived, the
  // late one has been dropped (the handler did not run again).
  caf::anon_send(actor_, release_atom::value);
  probe next;
  gateway.request(actor_, next.handler(), 21);
  auto answered = next.wait();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->get_as<int>(0), 42);
  EXPECT_EQ(held.calls.load(), 1);
  EXPECT_EQ(gateway.pending(), 0u);
}

TEST_F(request_gateway_test, close_answers_pending_requests_and_refuses_new_ones) {
  request_gateway gateway{sys_, 30s};
  probe pending;
  gateway.request(actor_, pending.handler(), hold_atom::value);
  EXPECT_EQ(gateway.pending(), 1u);
  gateway.close();
  auto reply = pending.wait(0ms);
  ASSERT_FALSE(reply);
  EXPECT_EQ(actors::from_caf_error(reply.error()).code, errc::shutting_down);
  probe refused;
  gateway.request(actor_, refused.handler(), 1);
  auto refusal = refused.wait(0ms);
  ASSERT_FALSE(refusal);
  EXPECT_EQ(actors::from_caf_error(refusal.error()).code, errc::shutting_down);
  // The held reply, sent after close, reaches no handler.
  caf::anon_send(actor_, release_atom::value);
  gateway.close();  // idempotent
  EXPECT_EQ(pending.calls.load(), 1);
}

TEST_F(request_gateway_test, a_stopped_or_missing_receiver_is_an_error) {
  request_gateway gateway{sys_, 30s};
  auto gone = sys_.spawn(holder);
  {
    caf::scoped_actor self{sys_};
    self->monitor(gone);
    caf::anon_send_exit(gone, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {});
  }
  probe down;
  gateway.request(gone, down.handler(), 1);
  auto reply = down.wait();
  ASSERT_FALSE(reply);
  EXPECT_EQ(actors::from_caf_error(reply.error()).code, errc::shutting_down);
  probe null;
  gateway.request(caf::actor{}, null.handler(), 1);
  EXPECT_FALSE(null.wait(0ms));
  EXPECT_EQ(null.calls.load(), 1);
}

} // namespace
} // namespace presence::test
