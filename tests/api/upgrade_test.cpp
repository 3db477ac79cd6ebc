// End-to-end: presenced on a database written by an earlier build (tests/tools/data/format_v1)
// replays it and serves it; on a database of a newer schema it refuses to start and says why.
#include <filesystem>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "presence/storage/event_log.hpp"
#include "presence/storage/record_layout.hpp"
#include "storage/log_fixtures.hpp"

namespace presence::test {
namespace {

namespace fs = std::filesystem;

std::string copy_fixture(const temp_dir& dir) {
  const auto data = dir.sub("data");
  fs::copy(std::string(PRESENCE_TOOLS_TEST_DATA) + "/format_v1/db", data,
           fs::copy_options::recursive);
  return data;
}

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
