// End-to-end: presenced on a database written by an earlier build (tests/tools/data/format_v1)
// replays it and serves it; on a database of a newer schema it refuses to start and says why.
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "presence/storage/event_log.hpp"
#include "presence/storage/record_layout.hpp"
#include "storage/log_fixtures.hpp"

namespace presence::test {
namespace {

namespace fs = std::filesystem;

std::string copy_fixture(const temp_dir& dir, const std::string& name = "format_v1") {
  const auto data = dir.sub("data");
  fs::copy(std::string(PRESENCE_TOOLS_TEST_DATA) + "/" + name + "/db", data,
           fs::copy_options::recursive);
  return data;
}

/// A token of `erin` in format_v2 (tests/tools/data/format_v2/README.md), and its id.
constexpr const char* erin_token =
  "xoxp-712d8304a2c8f0550a2635c87f31f07c61423996c89d6f9fd3defeae25ade3f8";
constexpr const char* erin_token_id = "T102bb57812a9b1de";

TEST(presenced_upgrade, serves_a_database_of_the_previous_format) {
  temp_dir dir;
  presenced_process server(copy_fixture(dir));
  http_client http(server.host(), server.port());
  const header_list admin{{"Authorization", "Bearer " + server.admin_token()}};
  // Workspace settings, users and their state come back from the old records.
  auto settings = http.post_json("/api/admin.settings.get", nlohmann::json::object(), admin).json();
  EXPECT_EQ(settings["settings"]["connection_limit"], 2) << settings.dump();
  auto again = http.post_json("/api/admin.users.create", {{"id", "dana.k-9_x"}, {"name", "Dana"}}, admin).json();
  EXPECT_EQ(again.value("error", ""), "already_in_team") << again.dump();
  auto root = http.post_json("/api/users.getPresence", {{"user", "root"}}, admin).json();
  EXPECT_EQ(root.value("ok", false), true) << root.dump();
  // And it takes new writes on top of them.
  auto created = http.post_json("/api/admin.users.create", {{"id", "newcomer"}, {"name", "Newcomer"}}, admin).json();
  EXPECT_EQ(created.value("ok", false), true) << created.dump();
  EXPECT_EQ(server.stop(), 0);
}

TEST(presenced_upgrade, serves_users_from_snapshots_of_the_previous_format_and_audits_new_writes) {
  temp_dir dir;
  presenced_process server(copy_fixture(dir, "format_v2"));
  http_client http(server.host(), server.port());
  const header_list erin{{"Authorization", std::string("Bearer ") + erin_token}};
  // A token issued by the older build still authenticates; the user's state is loaded from its
  // snapshot plus the events after it.
  auto who = http.post_json("/api/auth.test", nlohmann::json::object(), erin).json();
  EXPECT_EQ(who.value("user_id", ""), "erin") << who.dump();
  auto profile = http.post_json("/api/users.profile.get", nlohmann::json::object(), erin).json();
  EXPECT_EQ(profile["profile"].value("status_text", ""), "in a meeting") << profile.dump();
  auto presence = http.post_json("/api/users.getPresence", nlohmann::json::object(), erin).json();
  EXPECT_EQ(presence.value("manual_presence", ""), "away") << presence.dump();
  // A new write is recorded with the token's id and the client's address (record version 3).
  auto set = http.post_json("/api/users.setPresence", {{"presence", "auto"}}, erin).json();
  EXPECT_EQ(set.value("ok", false), true) << set.dump();
  const auto data = server.data_dir();
  EXPECT_EQ(server.stop(), 0);
  storage::open_options options;
  options.path = data;
  options.mode = storage::open_mode::read_only;
  auto log = storage::event_log::open(options);
  ASSERT_TRUE(log.ok()) << describe(log.error());
  std::optional<events::event> last_of_erin;
  ASSERT_TRUE((*log)->read_stream("erin", 0, [&](const events::event& ev) {
                  last_of_erin = ev;
                  return true;
                }).ok());
  ASSERT_TRUE(last_of_erin.has_value());
  EXPECT_EQ(last_of_erin->token_id, erin_token_id);
  EXPECT_EQ(last_of_erin->address, "127.0.0.1");
}

TEST(presenced_upgrade, a_newer_schema_is_refused_and_left_untouched) {
  temp_dir dir;
  const auto data = copy_fixture(dir);
  std::string version;
  storage::layout::put_u32_be(version, storage::schema_version + 1);
  ASSERT_EQ(write_raw(data, "meta", std::string{storage::layout::meta_schema_version}, version), "");
  auto ended = run_presenced({"--data-dir", data, "--listen", "127.0.0.1:0", "--admin-token",
                              default_admin_token});
  EXPECT_EQ(ended.code, 1);
  EXPECT_NE(ended.stderr_text.find("has schema version 2; this build supports up to 1"),
            std::string::npos)
    << ended.stderr_text;
  EXPECT_EQ(ended.stdout_text.find("listening"), std::string::npos);
  // Nothing was written: no epoch was started.
  storage::open_options options;
  options.path = data;
  options.mode = storage::open_mode::read_only;
  ASSERT_ERRC(storage::event_log::open(options), errc::unsupported_version);
}

} // namespace
} // namespace presence::test
