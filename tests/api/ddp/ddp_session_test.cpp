// End-to-end: Rocket.Chat's real-time stream (DDP on /websocket) against the real presenced:
// the handshake, a resume-token login answered as Rocket.Chat answers it, user-status events for
// other users, the UserPresence methods, and a DDP socket counted and logged as a presence
// connection like an RTM one.

#include <string>
#include <vector>

#include "ddp/ddp_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

using namespace ddp;

class ddp_session : public ::testing::Test {
 protected:
  const std::string& admin() { return server_.process().admin_token(); }
  double connections() { return server_.metric("presence_connections"); }

  rtm_server server_;
};

TEST_F(ddp_session, connect_is_answered_with_a_session_and_pings_with_pongs) {
  auto socket = open_socket(server_);
  auto connected = connect(*socket);
  EXPECT_FALSE(connected.value("session", "").empty()) << connected.dump();

  ASSERT_TRUE(socket->send(R"({"msg":"ping","id":"p1"})"));
  auto pong = socket->await([](const json& m) { return m.value("msg", "") == "pong"; });
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(*pong, (json{{"msg", "pong"}, {"id", "p1"}}));
  ASSERT_TRUE(socket->send(R"({"msg":"ping"})"));
  pong = socket->await([](const json& m) { return m.value("msg", "") == "pong"; });
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(*pong, (json{{"msg", "pong"}}));
}

TEST_F(ddp_session, a_resume_login_answers_id_token_and_expiry_and_opens_a_connection) {
  auto token = server_.create_user("alice");
  auto socket = open_socket(server_);
  connect(*socket);
  ASSERT_EQ(connections(), 0);

  auto answer = login(*socket, token, "l1");
  ASSERT_TRUE(answer.contains("result")) << answer.dump();
  const auto& result = answer["result"];
  EXPECT_EQ(result.value("id", ""), "alice");
  EXPECT_EQ(result.value("token", ""), token);
  EXPECT_EQ(result.value("type", ""), "resume");
  ASSERT_TRUE(result.contains("tokenExpires") && result["tokenExpires"].contains("$date"))
    << answer.dump();
  EXPECT_TRUE(result["tokenExpires"]["$date"].is_number_integer()) << answer.dump();
  auto updated = socket->await([](const json& m) { return m.value("msg", "") == "updated"; });
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ((*updated)["methods"], json::array({"l1"}));

  // A DDP socket is a presence connection like an RTM socket: counted, logged, online.
  EXPECT_TRUE(hostile::eventually([&] { return connections() == 1; })) << connections();
  auto status = server_.call("users.getPresence", token, {{"user", "alice"}});
  EXPECT_EQ(status.value("presence", ""), "active") << status.dump();

  socket->close();
  EXPECT_TRUE(hostile::eventually([&] { return connections() == 0; })) << connections();
  auto audit = hostile::stop_and_audit(server_.process());
  auto clients = audit.fields("alice", "connected", "client");
  ASSERT_EQ(clients.size(), 1u) << audit.export_text;
  EXPECT_EQ(clients[0], "ddp");
  EXPECT_EQ(audit.fields("alice", "disconnected", "reason"), std::vector<std::string>{"closed"});
}

TEST_F(ddp_session, user_status_events_carry_id_username_code_and_text_of_other_users) {
  auto alice = server_.create_user("alice");
  auto bob = server_.create_user("bob");
  // bob's status text, set before anyone watches (and while he is offline).
  auto set = server_.call("users.profile.set", bob,
                          {{"profile", {{"status_text", "deep work"}, {"status_emoji", ""}}}});
  ASSERT_EQ(set.value("ok", false), true) << set.dump();
  auto watcher = logged_in(server_, alice);
  auto ready = subscribe(*watcher, "s1", "user-status");
  ASSERT_EQ(ready.value("msg", ""), "ready") << ready.dump();
  // As on Rocket.Chat, the stream carries changes only: nothing for the current statuses.
  std::vector<json> before;
  ASSERT_TRUE(barrier(*watcher, &before));
  for (const auto& m : before)
    EXPECT_NE(m.value("msg", ""), "changed") << m.dump();

  // bob comes online over RTM: code 1, with the text he set before.
  auto bob_rtm = server_.open(bob);
  ASSERT_TRUE(watcher->await([](const json& m) { return is_user_status(m, "bob", 1, "deep work"); }))
    << "no online event for bob with his text";

  // A new status text (Slack's call; Rocket.Chat's users.setStatus alike) comes with the code.
  set = server_.call("users.profile.set", bob,
                     {{"profile", {{"status_text", "lunch"}, {"status_emoji", ""}}}});
  ASSERT_EQ(set.value("ok", false), true) << set.dump();
  ASSERT_TRUE(watcher->await([](const json& m) { return is_user_status(m, "bob", 1, "lunch"); }))
    << "no event with bob's new text";
  auto bob_ddp = logged_in(server_, bob);
  auto busy = call(*bob_ddp, "m1", "UserPresence:setDefaultStatus", json::array({"busy"}));
  EXPECT_EQ(busy.value("result", json()), true) << busy.dump();
  ASSERT_TRUE(watcher->await([](const json& m) { return is_user_status(m, "bob", 3, "lunch"); }))
    << "no busy event for bob";
  auto online = call(*bob_ddp, "m2", "UserPresence:setDefaultStatus", json::array({"online"}));
  EXPECT_EQ(online.value("result", json()), true) << online.dump();
  ASSERT_TRUE(watcher->await([](const json& m) { return is_user_status(m, "bob", 1); }));

  // Every socket of bob gone: offline, code 0.
  bob_rtm->close();
  bob_ddp->close();
  ASSERT_TRUE(watcher->await([](const json& m) { return is_user_status(m, "bob", 0); }))
    << "no offline event for bob";

  // After unsub nothing more comes for that subscription.
  ASSERT_TRUE(watcher->send(R"({"msg":"unsub","id":"s1"})"));
  auto nosub = watcher->await([](const json& m) { return m.value("msg", "") == "nosub"; });
  ASSERT_TRUE(nosub.has_value());
  EXPECT_EQ(*nosub, (json{{"msg", "nosub"}, {"id", "s1"}}));
  auto again = server_.open(bob);
  std::vector<json> seen;
  ASSERT_TRUE(barrier(*watcher, &seen));
  for (const auto& m : seen)
    EXPECT_NE(m.value("msg", ""), "changed") << m.dump();
}

TEST_F(ddp_session, user_presence_methods_answer_true_and_set_the_default_status) {
  auto carol = server_.create_user("carol");
  auto socket = logged_in(server_, carol);
  EXPECT_EQ(call(*socket, "a", "UserPresence:online").value("result", json()), true);
  auto before = server_.call("users.getPresence", carol, {{"user", "carol"}});
  EXPECT_EQ(before.value("presence", ""), "active") << before.dump();
  EXPECT_EQ(call(*socket, "b", "UserPresence:away").value("result", json()), true);
  auto idle = server_.call("users.getPresence", carol, {{"user", "carol"}});
  EXPECT_EQ(idle.value("presence", ""), "away") << "the client's idle report: " << idle.dump();
  EXPECT_EQ(idle.value("auto_away", false), true) << idle.dump();
  auto away = call(*socket, "c", "UserPresence:setDefaultStatus", json::array({"away"}));
  EXPECT_EQ(away.value("result", json()), true) << away.dump();
  auto presence = server_.call("users.getPresence", carol, {{"user", "carol"}});
  EXPECT_EQ(presence.value("manual_presence", ""), "away") << presence.dump();

  auto bad = call(*socket, "d", "UserPresence:setDefaultStatus", json::array({"sleepy"}));
  ASSERT_TRUE(bad.contains("error")) << bad.dump();
  EXPECT_EQ(bad["error"].value("error", ""), "error-invalid-status");
  EXPECT_EQ(bad["error"].value("errorType", ""), "Meteor.Error");

  auto audit = hostile::stop_and_audit(server_.process());
  EXPECT_EQ(audit.fields("carol", "presence_set", "mode"), std::vector<std::string>{"away"});
}

TEST_F(ddp_session, turning_the_service_off_shows_disabled_with_its_reason) {
  auto dave = server_.create_user("dave");
  auto socket = logged_in(server_, dave);
  auto ready = subscribe(*socket, "svc", "presence-service-status");
  ASSERT_EQ(ready.value("msg", ""), "ready") << ready.dump();
  auto first = socket->await([](const json& m) {
    return m.value("msg", "") == "changed" &&
           m["fields"].value("eventName", "") == "presence-service-status";
  });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->at("fields").at("args"),
            json::array({{{"enabled", true}, {"connections", 1}, {"limit", 200}}}));

  auto off = server_.call("admin.presence.disable", admin());
  ASSERT_EQ(off.value("ok", false), true) << off.dump();
  auto disabled = socket->await([](const json& m) {
    return m.value("msg", "") == "changed" &&
           m["fields"].value("eventName", "") == "presence-service-status" &&
           m["fields"]["args"][0].value("enabled", true) == false;
  });
  ASSERT_TRUE(disabled.has_value()) << "no disabled event";
  EXPECT_EQ(disabled->at("fields").at("args")[0].value("reason", ""), "admin") << disabled->dump();

  // A socket logging in while it is off hears it at once when it subscribes.
  auto late = logged_in(server_, dave);
  ASSERT_EQ(subscribe(*late, "svc2", "presence-service-status").value("msg", ""), "ready");
  auto state = late->await([](const json& m) {
    return m.value("msg", "") == "changed" &&
           m["fields"].value("eventName", "") == "presence-service-status";
  });
  ASSERT_TRUE(state.has_value());
  const auto& told = state->at("fields").at("args").at(0);
  EXPECT_EQ(told.value("enabled", true), false) << told.dump();
  EXPECT_EQ(told.value("reason", ""), "admin") << told.dump();
  EXPECT_EQ(told.value("limit", 0), 200) << told.dump();
  EXPECT_GE(told.value("connections", 0), 1) << told.dump();
}

TEST(ddp_connection_limit, ddp_sockets_count_for_the_workspace_limit_like_rtm_ones) {
  rtm_server server({"--connection-limit", "1"});
  auto erin = server.create_user("erin");
  auto frank = server.create_user("frank");
  auto watcher = logged_in(server, erin);  // the first connection: at the limit
  ASSERT_EQ(subscribe(*watcher, "svc", "presence-service-status").value("msg", ""), "ready");
  auto on = watcher->await([](const json& m) {
    return m.value("msg", "") == "changed" &&
           m["fields"].value("eventName", "") == "presence-service-status";
  });
  ASSERT_TRUE(on.has_value());
  EXPECT_EQ(on->at("fields").at("args"),
            json::array({{{"enabled", true}, {"connections", 1}, {"limit", 1}}}));

  auto second = logged_in(server, frank);  // past it: the service turns off for everyone
  auto off = watcher->await([](const json& m) {
    return m.value("msg", "") == "changed" &&
           m["fields"].value("eventName", "") == "presence-service-status" &&
           m["fields"]["args"][0].value("enabled", true) == false;
  });
  ASSERT_TRUE(off.has_value()) << "the second DDP connection did not count";
  EXPECT_EQ(off->at("fields").at("args")[0].value("reason", ""), "connection_limit");
  EXPECT_EQ(off->at("fields").at("args")[0].value("connections", 0), 2) << off->dump();
  EXPECT_EQ(off->at("fields").at("args")[0].value("limit", 0), 1) << off->dump();
}

TEST_F(ddp_session, shutdown_closes_a_logged_in_socket_with_1001_and_logs_server_restart) {
  auto gina = server_.create_user("gina");
  auto socket = logged_in(server_, gina);
  auto audit = hostile::stop_and_audit(server_.process());
  ASSERT_TRUE(socket->await_close(milliseconds(5000)));
  EXPECT_EQ(socket->close_reason().code, 1001u);
  EXPECT_EQ(audit.fields("gina", "disconnected", "reason"),
            std::vector<std::string>{"server_restart"});
}

} // namespace
} // namespace presence::test
