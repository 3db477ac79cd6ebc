// End-to-end: the Web API methods the web console needs beyond the others — users.list (cursor
// pagination, include_presence, statuses), admin.presence.disable with its reason, and
// admin.presence.report against `presencectl report` on the same data directory.

#include <chrono>
#include <ctime>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "support/child_process.hpp"
#include "support/utc_day.hpp"

namespace presence::test {
namespace {

TEST(console_methods, users_list_pages_through_everyone_with_presence_and_status) {
  api_server server;
  auto alice = server.create_user("alice");
  for (const char* id : {"bob", "carol", "dave", "erin"})
    server.create_user(id);
  ASSERT_EQ(server.slack("users.profile.set", alice,
                         {{"profile", {{"status_text", "Lunch"}, {"status_emoji", ":hamburger:"}}}})
              .value("ok", false),
            true);
  ASSERT_EQ(server.slack("users.setPresence", alice, {{"presence", "busy"}}).value("ok", false), true);
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    // Any user may list (no admin needed).
    auto page = server.slack("users.list", alice,
                             {{"limit", 2}, {"cursor", cursor}, {"include_presence", true}});
    ASSERT_EQ(page.value("ok", false), true) << page.dump();
    ASSERT_LE(page["members"].size(), 2u);
    for (const auto& member : page["members"]) {
      EXPECT_TRUE(seen.insert(member["id"].get<std::string>()).second) << member.dump();
      EXPECT_TRUE(member.contains("presence")) << member.dump();
      if (member["id"] == "alice") {
        EXPECT_EQ(member["name"], "Name of alice");
        EXPECT_EQ(member["profile"]["status_text"], "Lunch");
        EXPECT_EQ(member["profile"]["status_emoji"], ":hamburger:");
        EXPECT_EQ(member["presence_detail"], "offline");  // busy, but no connection open
        EXPECT_EQ(member["is_admin"], false);
        EXPECT_EQ(member["deleted"], false);
      }
    }
    cursor = page["response_metadata"]["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen, (std::set<std::string>{"admin", "alice", "bob", "carol", "dave", "erin"}));
  EXPECT_EQ(pages, 3);
  auto plain = server.slack("users.list", alice, {{"limit", 1}});
  EXPECT_FALSE(plain["members"][0].contains("presence")) << plain.dump();
  expect_slack_error(server.slack("users.list", alice, {{"cursor", "zz"}}), "invalid_cursor");
  expect_slack_error(server.slack("users.list", alice, {{"limit", 1001}}), "invalid_limit");
  expect_slack_error(server.slack("users.list", "", json::object()), "not_authed");
}

TEST(console_methods, an_admin_turns_the_service_off_with_the_reason_admin) {
  api_server server;
  auto alice = server.create_user("alice");
  expect_slack_error(server.slack("admin.presence.disable", alice), "not_admin");
  ASSERT_EQ(server.slack("admin.presence.disable", server.admin()).value("ok", false), true);
  auto connections = server.rc("GET", "presence.getConnections", server.admin(), "admin");
  ASSERT_EQ(connections.status, 200) << connections.body;
  EXPECT_EQ(connections.json()["enabled"], false);
  EXPECT_EQ(connections.json()["reason"], "admin");
  auto presence = server.slack("users.getPresence", alice, {{"user", "alice"}});
  EXPECT_EQ(presence["presence"], "away");
  ASSERT_EQ(server.slack("admin.presence.enable", server.admin()).value("ok", false), true);
  connections = server.rc("GET", "presence.getConnections", server.admin(), "admin");
  EXPECT_EQ(connections.json()["enabled"], true);
  EXPECT_EQ(connections.json()["reason"], "");
}

TEST(console_methods, the_report_has_the_figures_of_presencectl_and_the_changes) {
  api_server server;
  auto alice = server.create_user("alice");
  ASSERT_EQ(server.slack("users.setPresence", alice, {{"presence", "busy"}}).value("ok", false), true);
  ASSERT_EQ(server.slack("users.setPresence", server.admin(), {{"presence", "away"}, {"user", "alice"}})
              .value("ok", false),
            true);
  auto day = today_utc();
  expect_slack_error(server.slack("admin.presence.report", alice, {{"user", "alice"}, {"day", day}}),
                     "not_admin");
  expect_slack_error(server.slack("admin.presence.report", server.admin(),
                                  {{"user", "alice"}, {"day", "yesterday"}}),
                     "invalid_arguments");
  expect_slack_error(server.slack("admin.presence.report", server.admin(),
                                  {{"user", "nobody"}, {"day", day}}),
                     "user_not_found");
  auto report = server.slack("admin.presence.report", server.admin(), {{"user", "alice"}, {"day", day}});
  ASSERT_EQ(report.value("ok", false), true) << report.dump();
  EXPECT_DOUBLE_EQ(report["total_seconds"].get<double>(), 86400);
  ASSERT_GE(report["changes"].size(), 2u) << report.dump();
  auto last = report["changes"].back();
  EXPECT_EQ(last["type"], "presence_set");
  EXPECT_EQ(last["by"], "admin");
  EXPECT_EQ(last["via"], "users.setPresence");
  EXPECT_EQ(report["segments"].back()["presence"], "offline");  // no connection: offline

  ASSERT_EQ(server.process().stop(), 0);
  temp_dir out;
  auto ended = run_to_files({PRESENCECTL_PATH, "--db", server.process().data_dir(), "report",
                             "alice", "--day", day, "--json"},
                            out.sub("out"), out.sub("err"));
  ASSERT_TRUE(ended.exited && ended.code == 0) << read_whole_file(out.sub("err"));
  auto expected = json::parse(read_whole_file(out.sub("out")));
  for (const char* presence : {"online", "away", "busy", "offline", "disabled"})
    EXPECT_DOUBLE_EQ(report["seconds"][presence].get<double>(),
                     expected["seconds"][presence].get<double>())
      << presence;
}

} // namespace
} // namespace presence::test
