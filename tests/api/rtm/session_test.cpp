// End-to-end: the real presenced, real WebSockets. hello, presence_sub / presence_query, both
// presence_change forms, ping/pong, tickle, one-time tickets.

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

class rtm_session : public rtm_suite<rtm_session> {
 public:
  static std::vector<std::string> server_args() { return {"--allow-query-token"}; }
};

/// Users seen in presence_change frames with `presence`, read until all of `wanted` appeared.
/// Every frame read must be a batched presence_change (asserted by the caller through `frames`).
bool await_users(ws_client& client, const std::set<std::string>& wanted,
                 const std::string& presence, std::vector<json>& frames) {
  std::set<std::string> seen;
  while (seen != wanted) {
    auto frame = client.next_json(milliseconds(5000));
    if (!frame)
      return false;
    frames.push_back(*frame);
    if (frame->value("type", "") != "presence_change" || frame->value("presence", "") != presence)
      continue;
    for (const auto& user : frame->value("users", json::array()))
      if (wanted.count(user.get<std::string>()) > 0)
        seen.insert(user.get<std::string>());
  }
  return true;
}

TEST_F(rtm_session, hello_is_the_first_frame) {
  auto token = server().create_user("hello_a");
  ws_client client;
  ASSERT_EQ(client.connect(server().port(), server().rtm_target(token)), "");
  EXPECT_EQ(client.handshake_status(), 101u);
  auto first = client.next_json();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, (json{{"type", "hello"}}));
}

TEST_F(rtm_session, token_and_bearer_upgrades_work_too) {
  auto token = server().create_user("hello_b");
  ws_client by_param;
  // A token in the URL is refused unless --allow-query-token (this suite's server has it).
  ASSERT_EQ(by_param.connect(server().port(), "/rtm?token=" + token), "");
  EXPECT_EQ(by_param.await_type("hello")->value("type", ""), "hello");
  ws_client by_header;
  ASSERT_EQ(by_header.connect(server().port(), "/rtm", {{"Authorization", "Bearer " + token}}), "");
  EXPECT_EQ(by_header.await_type("hello")->value("type", ""), "hello");
}

TEST_F(rtm_session, presence_sub_sends_current_presence_then_batched_changes) {
  auto watcher_token = server().create_user("sub_w");
  auto b_token = server().create_user("sub_b");
  auto c_token = server().create_user("sub_c");
  auto watcher = server().open(watcher_token);

  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"sub_b", "sub_c"}}}));
  std::vector<json> frames;
  ASSERT_TRUE(await_users(*watcher, {"sub_b", "sub_c"}, "away", frames))
    << "the current presence of newly subscribed users comes at once";

  auto b = server().open(b_token);
  auto c = server().open(c_token);
  ASSERT_TRUE(await_users(*watcher, {"sub_b", "sub_c"}, "active", frames));

  b->close();
  ASSERT_TRUE(await_users(*watcher, {"sub_b"}, "away", frames));
  for (const auto& frame : frames) {
    EXPECT_EQ(frame.value("type", ""), "presence_change") << frame.dump();
    EXPECT_TRUE(frame.contains("users")) << "batched form expected: " << frame.dump();
    EXPECT_FALSE(frame.contains("user")) << frame.dump();
    EXPECT_TRUE(frame.contains("presence_detail")) << frame.dump();
  }
}

TEST_F(rtm_session, presence_sub_replaces_the_whole_list) {
  auto watcher_token = server().create_user("repl_w");
  auto b_token = server().create_user("repl_b");
  auto c_token = server().create_user("repl_c");
  auto watcher = server().open(watcher_token);
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"repl_b"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "repl_b", "away"); }));
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"repl_c"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "repl_c", "away"); }));

  // repl_b is no longer subscribed: its change must not arrive, repl_c's must.
  auto b = server().open(b_token);
  auto c = server().open(c_token);
  auto seen = watcher->frames_through([](const json& f) { return is_change(f, "repl_c", "active"); });
  ASSERT_TRUE(seen.has_value());
  for (const auto& frame : *seen)
    EXPECT_FALSE(is_change(frame, "repl_b", "active")) << frame.dump();
}

TEST_F(rtm_session, batch_presence_aware_zero_gives_one_frame_per_user) {
  auto watcher_token = server().create_user("single_w");
  server().create_user("single_b");
  server().create_user("single_c");
  auto watcher = server().open(watcher_token, false);
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"single_b", "single_c"}}}));
  std::set<std::string> seen;
  while (seen.size() < 2) {
    auto frame = watcher->next_json();
    ASSERT_TRUE(frame.has_value()) << "missing presence_change frames";
    ASSERT_EQ(frame->value("type", ""), "presence_change") << frame->dump();
    EXPECT_FALSE(frame->contains("users")) << frame->dump();
    ASSERT_TRUE(frame->contains("user")) << frame->dump();
    EXPECT_EQ(frame->value("presence", ""), "away");
    seen.insert(frame->at("user").get<std::string>());
  }
  EXPECT_EQ(seen, (std::set<std::string>{"single_b", "single_c"}));
}

TEST_F(rtm_session, presence_query_answers_with_presence_changes) {
  auto a_token = server().create_user("query_a");
  auto b_token = server().create_user("query_b");
  server().create_user("query_c");
  auto a = server().open(a_token);
  auto b = server().open(b_token);
  ASSERT_TRUE(a->send(json{{"type", "presence_query"},
                           {"ids", {"query_a", "query_b", "query_c", "query_nobody"}}}));
  auto frames = a->frames_through([](const json& f) { return is_change(f, "query_c", "away"); });
  ASSERT_TRUE(frames.has_value());
  bool a_active = false, b_active = false;
  for (const auto& frame : *frames) {
    a_active = a_active || is_change(frame, "query_a", "active");
    b_active = b_active || is_change(frame, "query_b", "active");
    EXPECT_FALSE(is_change(frame, "query_nobody", "away")) << "unknown ids are skipped";
  }
  EXPECT_TRUE(a_active);
  EXPECT_TRUE(b_active);
}

TEST_F(rtm_session, ping_gets_pong_with_reply_to_and_echo) {
  auto token = server().create_user("ping_a");
  auto client = server().open(token);
  ASSERT_TRUE(client->send(R"({"type":"ping","id":42,"time":1234})"));
  auto pong = client->await_type("pong");
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(*pong, (json{{"type", "pong"}, {"reply_to", 42}, {"time", 1234}}));
}

TEST_F(rtm_session, tickle_is_accepted_silently) {
  auto token = server().create_user("tickle_a");
  auto client = server().open(token);
  ASSERT_TRUE(client->send(R"({"type":"tickle"})"));
  auto before = client->barrier();
  ASSERT_TRUE(before.has_value()) << "the socket stays usable";
  EXPECT_TRUE(before->empty()) << before->front().dump();
}

TEST_F(rtm_session, a_burst_of_tickles_reaches_the_engine_at_most_once_a_second) {
  auto token = server().create_user("tickle_burst");
  auto client = server().open(token);
  auto before = server().metric("presence_ws_activity_forwarded_total");
  auto started = std::chrono::steady_clock::now();
  // Under the per-socket message budget (50), so none is dropped by the rate limit.
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(client->send(R"({"type":"tickle"})"));
  ASSERT_TRUE(client->barrier().has_value()) << "every tickle was read before the pong";
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now() - started).count();
  auto forwarded = server().metric("presence_ws_activity_forwarded_total") - before;
  EXPECT_GE(forwarded, 1) << "the first tickle is activity";
  EXPECT_LE(forwarded, seconds + 1) << "40 tickles in " << seconds << " s";
}

TEST_F(rtm_session, ticket_is_one_time) {
  auto token = server().create_user("ticket_a");
  auto target = server().rtm_target(token);
  ASSERT_NE(target.find("ticket="), std::string::npos) << target;
  ws_client first;
  ASSERT_EQ(first.connect(server().port(), target), "");
  EXPECT_EQ(first.await_type("hello")->value("type", ""), "hello");
  ws_client again;
  EXPECT_NE(again.connect(server().port(), target), "") << "a used ticket is refused";
  EXPECT_EQ(again.handshake_status(), 401u);
}

TEST_F(rtm_session, unauthenticated_upgrade_is_refused) {
  ws_client client;
  EXPECT_NE(client.connect(server().port(), "/rtm?ticket=forged"), "");
  EXPECT_EQ(client.handshake_status(), 401u);
}

TEST_F(rtm_session, each_socket_is_one_connection) {
  auto token = server().create_user("conn_a");
  auto first = server().open(token);
  auto second = server().open(token);
  auto view = server().call("users.getPresence", token, {{"user", "conn_a"}});
  EXPECT_EQ(view.value("connection_count", -1), 2) << view.dump();
  EXPECT_EQ(view.value("presence", ""), "active") << view.dump();
  first->close();
  second->close();
  // The disconnects are logged asynchronously: watch them through a subscription.
  auto watcher = server().open(server().create_user("conn_w"));
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"conn_a"}}}));
  std::vector<json> frames;
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "conn_a", "away"); },
                             milliseconds(5000), &frames))
    << "both sockets closed: the user is offline";
  view = server().call("users.getPresence", token, {{"user", "conn_a"}});
  EXPECT_EQ(view.value("connection_count", -1), 0) << view.dump();
}

} // namespace
} // namespace presence::test
