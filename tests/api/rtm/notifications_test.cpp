// End-to-end: engine notifications as frames. A subscriber sees a status expire, manual presence
// changes reach only the user's own sockets, the service switch reaches every socket.

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

class rtm_notifications : public rtm_suite<rtm_notifications> {
 public:
  static std::vector<std::string> server_args() { return {}; }
};

bool is_status(const json& frame, const std::string& user, const std::string& text) {
  return frame.value("type", "") == "user_status_changed" && frame.contains("user") &&
         frame["user"].value("id", "") == user &&
         frame["user"].at("profile").value("status_text", "?") == text;
}

TEST_F(rtm_notifications, subscriber_sees_a_status_expire) {
  auto watcher = server().open(server().create_user("exp_w"));
  auto b_token = server().create_user("exp_b");
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"exp_b"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "exp_b", "away"); }));

  auto expiration = static_cast<int64_t>(std::time(nullptr)) + 2;
  auto answer = server().call("users.profile.set", b_token,
                              {{"profile",
                                {{"status_text", "out to lunch"},
                                 {"status_emoji", ":pizza:"},
                                 {"status_expiration", expiration}}}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();

  auto set = watcher->await([](const json& f) { return is_status(f, "exp_b", "out to lunch"); });
  ASSERT_TRUE(set.has_value()) << "the new status reaches the subscriber";
  const auto& profile = set->at("user").at("profile");
  EXPECT_EQ(profile.value("status_emoji", ""), ":pizza:");
  EXPECT_EQ(profile.value("status_expiration", int64_t{0}), expiration);

  // The expiry is a timer in the user's actor: await the clearing frame, bounded.
  auto cleared = watcher->await([](const json& f) { return is_status(f, "exp_b", ""); },
                                milliseconds(10000));
  ASSERT_TRUE(cleared.has_value()) << "no user_status_changed clearing the expired status";
  EXPECT_EQ(cleared->at("user").at("profile").value("status_emoji", "?"), "");
  EXPECT_EQ(cleared->at("user").at("profile").value("status_expiration", int64_t{-1}), 0);
  // The expiry is also a user_change, to every socket (this one included).
  auto change = watcher->await([](const json& f) {
    return f.value("type", "") == "user_change" && f["user"].value("id", "") == "exp_b" &&
           f["user"]["profile"].value("status_text", "?").empty();
  });
  ASSERT_TRUE(change.has_value()) << "no user_change for the expired status";
}

/// A user_change frame about `user`.
bool is_user_change(const json& frame, const std::string& user) {
  return frame.value("type", "") == "user_change" && frame.contains("user") &&
         frame["user"].value("id", "") == user;
}

TEST_F(rtm_notifications, a_status_change_reaches_every_socket_as_user_change) {
  // No presence_sub anywhere: user_change goes to every socket of the workspace.
  auto bystander = server().open(server().create_user("uc_w"));
  auto b_token = server().create_user("uc_b");
  auto own = server().open(b_token);
  auto answer = server().call("users.profile.set", b_token,
                              {{"profile", {{"status_text", "riding a train"},
                                            {"status_emoji", ":mountain_railway:"}}}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();
  for (auto* socket : {bystander.get(), own.get()}) {
    auto change = socket->await([](const json& f) { return is_user_change(f, "uc_b"); });
    ASSERT_TRUE(change.has_value()) << "a socket was not told";
    EXPECT_EQ(change->at("user"), (json{{"id", "uc_b"},
                                        {"name", "uc_b"},
                                        {"deleted", false},
                                        {"is_admin", false},
                                        {"is_bot", false},
                                        {"profile",
                                         {{"status_text", "riding a train"},
                                          {"status_emoji", ":mountain_railway:"},
                                          {"status_expiration", 0}}}}))
      << change->dump();
  }
  // The user's own users.info shows the same object.
  auto info = server().call("users.info", b_token, {{"user", "uc_b"}});
  EXPECT_EQ(info["user"]["profile"]["status_text"], "riding a train") << info.dump();

  // A deactivation is a user_change too: deleted, with no status.
  auto gone = server().call("admin.users.deactivate", server().process().admin_token(),
                            {{"user", "uc_b"}});
  ASSERT_EQ(gone.value("ok", false), true) << gone.dump();
  auto deleted = bystander->await([](const json& f) {
    return is_user_change(f, "uc_b") && f["user"].value("deleted", false);
  });
  ASSERT_TRUE(deleted.has_value()) << "the deactivation was not told";
  EXPECT_EQ(deleted->at("user").at("profile").value("status_text", "?"), "");
}

TEST_F(rtm_notifications, a_bots_always_active_flag_reaches_every_socket_as_user_change) {
  auto bystander = server().open(server().create_user("uc_w2"));
  auto admin = server().process().admin_token();
  auto bot = server().call("admin.users.create", admin,
                           {{"id", "uc_bot"}, {"name", "uc_bot"}, {"is_bot", true}});
  ASSERT_EQ(bot.value("ok", false), true) << bot.dump();
  for (bool flag : {true, false}) {
    auto set = server().call("admin.users.setAlwaysActive", admin,
                             {{"user", "uc_bot"}, {"always_active", flag}});
    ASSERT_EQ(set.value("ok", false), true) << set.dump();
    auto change = bystander->await([](const json& f) { return is_user_change(f, "uc_bot"); });
    ASSERT_TRUE(change.has_value()) << "always_active=" << flag << " was not told";
    EXPECT_EQ(change->at("user").value("is_bot", false), true);
    EXPECT_EQ(change->at("user").at("profile").value("always_active", !flag), flag)
      << change->dump();
  }
}

TEST_F(rtm_notifications, manual_presence_change_goes_only_to_the_users_own_sockets) {
  auto a_token = server().create_user("manual_a");
  auto own_1 = server().open(a_token);
  auto own_2 = server().open(a_token);
  auto watcher = server().open(server().create_user("manual_w"));
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"manual_a"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "manual_a", "active"); }));

  auto answer = server().call("users.setPresence", a_token, {{"presence", "away"}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();
  for (auto* own : {own_1.get(), own_2.get()}) {
    auto manual = own->await_type("manual_presence_change");
    ASSERT_TRUE(manual.has_value()) << "each of the user's sockets is told";
    EXPECT_EQ(manual->value("presence", ""), "away") << manual->dump();
  }

  auto seen = watcher->frames_through([](const json& f) { return is_change(f, "manual_a", "away"); });
  ASSERT_TRUE(seen.has_value());
  for (const auto& frame : *seen)
    EXPECT_NE(frame.value("type", ""), "manual_presence_change") << "sent to another user";

  answer = server().call("users.setPresence", a_token, {{"presence", "auto"}});
  ASSERT_EQ(answer.value("ok", false), true) << answer.dump();
  auto back = own_1->await_type("manual_presence_change");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->value("presence", ""), "active") << back->dump();
}

TEST_F(rtm_notifications, a_30_s_idle_limit_goes_away_while_the_default_stays_online) {
  auto quick = server().create_user("idle_quick");
  auto slow = server().create_user("idle_slow");
  auto prefs = server().call("users.prefs.set", quick, {{"idle_timeout", 30}});
  ASSERT_EQ(prefs.value("ok", false), true) << prefs.dump();
  auto watcher = server().open(server().create_user("idle_w"));
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"idle_quick", "idle_slow"}}}));
  auto quick_socket = server().open(quick);  // opening counts as activity
  auto slow_socket = server().open(slow);
  auto opened = std::chrono::steady_clock::now();
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "idle_quick", "active"); }));

  // Neither socket does anything a person does: the 30 s user goes away, the one on the
  // workspace default (600 s) does not. Both keep answering the server's heartbeat meanwhile (an
  // RTM ping, which is not activity, and the WebSocket pongs the client sends while it reads): a
  // socket that is never read answers no WebSocket ping and is closed as a dead peer after two
  // ping intervals (60 s), which a slow run can reach, and then reads offline.
  std::vector<json> before;
  std::optional<json> away;
  const auto deadline = opened + std::chrono::seconds(45);
  while (!away && std::chrono::steady_clock::now() < deadline) {
    away = watcher->await([](const json& f) { return is_change(f, "idle_quick", "away"); },
                          milliseconds(1000), &before);
    ASSERT_TRUE(quick_socket->barrier().has_value()) << "idle_quick's socket was closed";
    ASSERT_TRUE(slow_socket->barrier().has_value()) << "idle_slow's socket was closed";
  }
  ASSERT_TRUE(away.has_value()) << "idle_quick never went away";
  auto idle_for = std::chrono::steady_clock::now() - opened;
  EXPECT_GE(idle_for, std::chrono::seconds(29));
  EXPECT_LT(idle_for, std::chrono::seconds(45));
  for (const auto& frame : before)
    EXPECT_FALSE(is_change(frame, "idle_slow", "away")) << frame.dump();
  auto presence = server().call("users.getPresence", slow);
  EXPECT_EQ(presence.value("presence", ""), "active") << presence.dump();
  EXPECT_EQ(presence.value("auto_away", true), false);
}

TEST(rtm_service_status, every_socket_learns_that_presence_turned_off) {
  rtm_server server({"--connection-limit", "2"});
  auto first = server.open(server.create_user("svc_a"));
  auto second = server.open(server.create_user("svc_b"));
  auto third = server.open(server.create_user("svc_c"));  // passes the limit
  for (auto* client : {first.get(), second.get(), third.get()}) {
    auto status = client->await_type("presence_service_status");
    ASSERT_TRUE(status.has_value()) << "a socket was not told";
    EXPECT_EQ(*status, (json{{"type", "presence_service_status"},
                             {"enabled", false},
                             {"reason", "connection_limit"},
                             {"connections", 3},
                             {"limit", 2}}));
  }
  // A socket opened while the service is off learns it, and why, right after hello.
  auto late = server.open(server.create_user("svc_d"));
  auto status = late->await_type("presence_service_status");
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->value("enabled", true), false);
  EXPECT_EQ(status->value("reason", ""), "connection_limit");
}

} // namespace
} // namespace presence::test
