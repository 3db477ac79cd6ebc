// End-to-end catalogue of the audit trail (api/README.md, Audit): every event a Web API call or a
// real-time socket causes records the id of the token that authorised it (never its secret) and
// the client's address; the configured admin token is told apart from the admin user's own
// tokens; admin.presence.report and presencectl history show both fields.

#include <algorithm>
#include <sstream>
#include <string>

#include "hostile/hostile_support.hpp"
#include "rtm/rtm_fixture.hpp"
#include "support/utc_day.hpp"

namespace presence::test {
namespace {

/// The reserved token id of the configured admin token (events::configured_admin_token_id).
constexpr const char* configured_admin_token_id = "$admin-token";

struct issued {
  std::string token;
  std::string token_id;
};

class audit : public ::testing::Test {
 protected:
  /// Calls `method` with the configured admin token or another admin token; expects ok.
  json ok_call(const std::string& method, const std::string& token, const json& body) {
    auto answer = server_.call(method, token, body);
    EXPECT_EQ(answer.value("ok", false), true) << method << ": " << answer.dump();
    return answer;
  }

  issued create(const std::string& id, const std::string& as) {
    auto answer = ok_call("admin.users.create", as, {{"id", id}, {"name", id}});
    return {answer.value("token", ""), answer.value("token_id", "")};
  }

  const std::string& admin() { return server_.process().admin_token(); }

  /// The one event of `type` in `stream` (a test failure and an empty object otherwise).
  static json only(const hostile::log_audit& log, const std::string& stream,
                   const std::string& type, const std::string& field = {},
                   const std::string& value = {}) {
    json found = json::object();
    std::size_t matches = 0;
    for (const auto& e : log.events)
      if (e.value("stream", "") == stream && e.value("type", "") == type &&
          (field.empty() || e.value(field, "") == value)) {
        found = e;
        ++matches;
      }
    EXPECT_EQ(matches, 1u) << stream << " " << type << " " << value << "\n" << log.export_text;
    return found;
  }

  rtm_server server_;
};

TEST_F(audit, web_api_changes_record_the_token_id_and_the_client_address) {
  auto bob = create("bob", admin());
  ok_call("users.setPresence", bob.token, {{"presence", "away"}});
  ok_call("users.profile.set", bob.token,
          {{"profile", {{"status_text", "audited"}, {"status_emoji", ":mag:"}}}});
  // The report the console's audit view reads carries both fields.
  auto report = ok_call("admin.presence.report", admin(), {{"user", "bob"}, {"day", today_utc()}});
  bool reported = false;
  for (const auto& change : report.value("changes", json::array()))
    if (change.value("type", "") == "presence_set") {
      reported = true;
      EXPECT_EQ(change.value("token_id", ""), bob.token_id) << change.dump();
      EXPECT_EQ(change.value("address", ""), "127.0.0.1") << change.dump();
    }
  EXPECT_TRUE(reported) << report.dump();
  // presencectl history shows them as columns (it reads a live database too).
  auto history = hostile::presencectl({"--db", server_.process().data_dir(), "history", "bob"});
  EXPECT_EQ(history.code, 0);
  EXPECT_NE(history.out.find("TOKEN"), std::string::npos) << history.out;
  bool shown = false;
  std::istringstream lines{history.out};
  for (std::string line; std::getline(lines, line);)
    shown = shown || (line.find("presence_set") != std::string::npos &&
                      line.find(bob.token_id) != std::string::npos &&
                      line.find("127.0.0.1") != std::string::npos);
  EXPECT_TRUE(shown) << history.out;

  auto log = hostile::stop_and_audit(server_.process());
  for (const char* type : {"presence_set", "status_set"}) {
    auto e = only(log, "bob", type);
    EXPECT_EQ(e.value("token_id", ""), bob.token_id) << e.dump();
    EXPECT_EQ(e.value("address", ""), "127.0.0.1") << e.dump();
  }
  // Never a secret: neither the user's nor the admin's appears anywhere in the log.
  EXPECT_EQ(log.export_text.find(bob.token), std::string::npos);
  EXPECT_EQ(log.export_text.find(admin()), std::string::npos);
}

TEST_F(audit, the_configured_admin_token_is_told_apart_from_the_admin_users_own_token) {
  // A token of the admin user itself, issued by the configured admin token.
  auto own = ok_call("admin.tokens.issue", admin(), {{"user", "admin"}});
  const std::string own_token = own.value("token", "");
  const std::string own_id = own.value("token_id", "");
  ASSERT_FALSE(own_id.empty());
  create("by-config", admin());
  create("by-own", own_token);

  auto log = hostile::stop_and_audit(server_.process());
  auto by_config = only(log, "$workspace", "user_created", "user", "by-config");
  auto by_own = only(log, "$workspace", "user_created", "user", "by-own");
  // Both acted as the admin user; the token ids say which credential it was.
  EXPECT_EQ(by_config.value("by", ""), "admin");
  EXPECT_EQ(by_own.value("by", ""), "admin");
  EXPECT_EQ(by_config.value("token_id", ""), configured_admin_token_id) << by_config.dump();
  EXPECT_EQ(by_own.value("token_id", ""), own_id) << by_own.dump();
  EXPECT_NE(own_id, configured_admin_token_id);
  EXPECT_EQ(by_config.value("address", ""), "127.0.0.1");
  // The token issued to the admin user was itself issued by the configured token.
  auto issued_event = only(log, "$workspace", "token_issued", "id", own_id);
  EXPECT_EQ(issued_event.value("token_id", ""), configured_admin_token_id);
  // Server work carries no token: the epoch is started by the server itself.
  auto epoch = only(log, "$workspace", "epoch_started");
  EXPECT_FALSE(epoch.contains("token_id")) << epoch.dump();
}

TEST_F(audit, a_real_time_socket_records_its_token_id_and_address_from_ticket_to_disconnect) {
  auto carol = create("carol", admin());
  auto second = ok_call("admin.tokens.issue", admin(), {{"user", "carol"}});
  // One socket through an rtm.connect ticket (the ticket carries the token id), one through a
  // Bearer header on the upgrade itself.
  auto by_ticket = server_.open(carol.token);
  ws_client by_header;
  ASSERT_EQ(by_header.connect(server_.port(), "/rtm",
                              {{"Authorization", "Bearer " + second.value("token", "")}}),
            "");
  ASSERT_TRUE(by_header.await_type("hello", std::chrono::milliseconds(5000)).has_value());

  auto log = hostile::stop_and_audit(server_.process());
  std::vector<std::string> tokens;
  for (const auto& e : log.events)
    if (e.value("stream", "") == "carol" &&
        (e.value("type", "") == "connected" || e.value("type", "") == "disconnected")) {
      tokens.push_back(e.value("token_id", ""));
      EXPECT_EQ(e.value("address", ""), "127.0.0.1") << e.dump();
    }
  ASSERT_EQ(tokens.size(), 4u) << log.export_text; // two connects, two shutdown disconnects
  std::sort(tokens.begin(), tokens.end());
  std::vector<std::string> expected{carol.token_id, carol.token_id, second.value("token_id", ""),
                                    second.value("token_id", "")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(tokens, expected);
}

} // namespace
} // namespace presence::test
