// End-to-end: the statuses users pick, their presence preferences and bots, on both APIs of a
// real presenced, with the log read back by the real presencectl (history, inspect --at) and a
// restart (replay equals live).

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "hostile/hostile_support.hpp"

namespace presence::test {
namespace {

/// The events of `user` in the log, as `presencectl history --json` prints them.
std::vector<json> history(api_server& server, const std::string& user) {
  auto run = hostile::presencectl({"--db", server.process().data_dir(), "history", user, "--json"});
  EXPECT_EQ(run.code, 0) << run.out;
  std::vector<json> out;
  std::istringstream lines{run.out};
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      out.push_back(json::parse(line));
  return out;
}

std::size_t count_of(const std::vector<json>& events, const std::string& type) {
  std::size_t n = 0;
  for (const auto& e : events)
    n += e.value("type", "") == type ? 1 : 0;
  return n;
}

TEST(user_status, a_picked_preset_is_one_event_that_outlives_renaming_and_deleting_it) {
  api_server server;
  auto admin = server.admin();
  auto carol = server.create_user("carol");
  auto created = server.rc("POST", "custom-user-status.create", admin, "admin",
                           {{"name", "Lunch break"}, {"statusType", "away"}});
  ASSERT_EQ(created.status, 200) << created.body;
  auto id = created.json()["customUserStatus"]["_id"].get<std::string>();

  // Every user sees the presets, on both APIs.
  auto rc_list = server.rc("GET", "custom-user-status.list", carol, "carol", {}, "name=LUNCH");
  ASSERT_EQ(rc_list.status, 200) << rc_list.body;
  ASSERT_EQ(rc_list.json()["statuses"].size(), 1u);
  auto slack_list = server.slack("users.presets.list", carol);
  ASSERT_EQ(slack_list["ok"], true) << slack_list;
  ASSERT_EQ(slack_list["presets"].size(), 1u);
  EXPECT_EQ(slack_list["presets"][0]["id"], id);

  // Rocket.Chat's client picks a custom status by sending its type and name.
  auto picked = server.rc("POST", "users.setStatus", carol, "carol",
                          {{"status", "away"}, {"message", "Lunch break"}});
  ASSERT_EQ(picked.status, 200) << picked.body;
  EXPECT_EQ(server.slack("users.getPresence", carol)["manual_presence"], "away");
  EXPECT_EQ(server.slack("users.profile.get", carol)["profile"]["status_text"], "Lunch break");
  // A message naming no preset of that type stays two plain changes.
  ASSERT_EQ(server.rc("POST", "users.setStatus", carol, "carol",
                      {{"status", "busy"}, {"message", "Lunch break"}})
              .status,
            200);
  // The Slack-side extension: users.profile.set with a preset id.
  auto slack_pick = server.slack("users.profile.set", carol, {{"preset", id}});
  ASSERT_EQ(slack_pick["ok"], true) << slack_pick;
  EXPECT_EQ(slack_pick["profile"]["status_text"], "Lunch break");
  expect_slack_error(server.slack("users.profile.set", carol, {{"preset", "P999"}}),
                     "preset_not_found");
  expect_slack_error(
    server.slack("users.profile.set", carol, {{"preset", id}, {"profile", {{"status_text", "x"}}}}),
    "invalid_arguments");

  // Renaming, then deleting the preset leaves what carol shows as it was.
  ASSERT_EQ(server.rc("POST", "custom-user-status.update", admin, "admin",
                      {{"_id", id}, {"name", "Long lunch"}, {"statusType", "busy"}})
              .status,
            200);
  ASSERT_EQ(server.rc("POST", "custom-user-status.delete", admin, "admin",
                      {{"customUserStatusId", id}})
              .status,
            200);
  EXPECT_EQ(server.slack("users.profile.get", carol)["profile"]["status_text"], "Lunch break");
  EXPECT_EQ(server.slack("users.getPresence", carol)["manual_presence"], "away");

  // The log: each pick is one preset_applied naming the preset, with who and how.
  auto events = history(server, "carol");
  ASSERT_EQ(count_of(events, "preset_applied"), 2u);
  EXPECT_EQ(count_of(events, "status_set"), 1u);   // the busy + message change
  EXPECT_EQ(count_of(events, "presence_set"), 1u);
  std::vector<std::string> vias;
  for (const auto& e : events)
    if (e["type"] == "preset_applied") {
      EXPECT_EQ(e["preset_id"], id);
      EXPECT_EQ(e["text"], "Lunch break");
      EXPECT_EQ(e["mode"], "away");
      vias.push_back(e.value("via", ""));
    }
  EXPECT_EQ(vias, (std::vector<std::string>{"users.setStatus", "users.profile.set"}));

  // Replay equals live: after a restart the folded log shows the same.
  ASSERT_EQ(server.restart(), 0);
  EXPECT_EQ(server.slack("users.profile.get", carol)["profile"]["status_text"], "Lunch break");
  EXPECT_EQ(server.slack("users.getPresence", carol)["manual_presence"], "away");
}

TEST(user_status, preferences_are_logged_with_who_and_how_and_rebuilt_at_an_instant) {
  api_server server;
  auto dave = server.create_user("dave");
  auto set = server.rc("POST", "users.setPreferences", dave, "dave",
                       {{"data", {{"idleTimeLimit", 45}, {"enableAutoAway", true}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  auto by_admin = server.rc("POST", "users.setPreferences", server.admin(), "admin",
                            {{"userId", "dave"}, {"data", {{"enableAutoAway", false}}}});
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;

  auto events = history(server, "dave");
  std::vector<json> prefs;
  for (const auto& e : events)
    if (e["type"] == "preferences_set")
      prefs.push_back(e);
  ASSERT_EQ(prefs.size(), 2u);
  EXPECT_EQ(prefs[0]["idle_timeout"], 45);
  EXPECT_EQ(prefs[0]["auto_away"], true);
  EXPECT_EQ(prefs[0]["via"], "users.setPreferences");
  EXPECT_EQ(prefs[1]["idle_timeout"], 45);  // the partial change kept it
  EXPECT_EQ(prefs[1]["auto_away"], false);
  EXPECT_EQ(prefs[1]["by"], "admin");

  // inspect --at the first event's instant: 45 s, auto-away on; now: off.
  auto at_first = hostile::presencectl({"--db", server.process().data_dir(), "inspect", "dave",
                                        "--at", prefs[0]["ts"].get<std::string>(), "--json"});
  ASSERT_EQ(at_first.code, 0) << at_first.out;
  auto then = json::parse(at_first.out);
  EXPECT_EQ(then["idle_timeout"], 45);
  EXPECT_EQ(then["auto_away_enabled"], true);
  auto now = json::parse(
    hostile::presencectl({"--db", server.process().data_dir(), "inspect", "dave", "--json"}).out);
  EXPECT_EQ(now["auto_away_enabled"], false);

  ASSERT_EQ(server.restart(), 0);
  auto got = server.rc("GET", "users.getPreferences", dave, "dave").json()["preferences"];
  EXPECT_EQ(got["idleTimeLimit"], 45);
  EXPECT_EQ(got["enableAutoAway"], false);
}

TEST(user_status, a_bot_and_its_always_active_flag_are_logged_and_replay_equals_live) {
  api_server server;
  auto admin = server.admin();
  expect_ok(server.slack("admin.users.create", admin,
                         {{"id", "robo"}, {"name", "Robo"}, {"is_bot", true}}));
  expect_ok(server.slack("admin.users.setAlwaysActive", admin,
                         {{"user", "robo"}, {"always_active", true}}));
  auto events = history(server, "$workspace");
  json created, flagged;
  for (const auto& e : events) {
    if (e["type"] == "user_created" && e["user"] == "robo")
      created = e;
    if (e["type"] == "always_active_set")
      flagged = e;
  }
  EXPECT_EQ(created.value("bot", false), true) << created.dump();
  EXPECT_EQ(flagged.value("user", ""), "robo") << flagged.dump();
  EXPECT_EQ(flagged.value("always_active", false), true);
  EXPECT_EQ(flagged.value("via", ""), "admin.users.setAlwaysActive");

  auto inspect = hostile::presencectl(
    {"--db", server.process().data_dir(), "inspect", "robo", "--json"});
  ASSERT_EQ(inspect.code, 0) << inspect.out;
  auto replayed = json::parse(inspect.out);
  auto live = server.slack("users.info", admin, {{"user", "robo"}})["user"];
  EXPECT_EQ(replayed.value("bot", false), live.value("is_bot", false));
  EXPECT_EQ(replayed.value("always_active", false), live["profile"].value("always_active", false));
  EXPECT_EQ(live["profile"].value("always_active", false), true) << live.dump();

  // After a restart the folded log gives the same record.
  ASSERT_EQ(server.restart(), 0);
  EXPECT_EQ(server.slack("users.info", admin, {{"user", "robo"}})["user"], live);
}

} // namespace
} // namespace presence::test
