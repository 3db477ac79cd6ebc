// presence-load's frame parser: the fast scan of flat frames and the JSON fallback must agree.
#include "ws_connection.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using presence::load::parse_presence_change;
using seen = std::vector<std::pair<std::string, std::string>>;

/// Parses `frame`; returns whether it was a presence_change, with its type and (user, presence).
std::pair<bool, seen> parse(const std::string& frame, std::string& type) {
  seen users;
  bool change = parse_presence_change(frame, type, [&](std::string_view user, std::string_view p) {
    users.emplace_back(std::string{user}, std::string{p});
  });
  return {change, users};
}

TEST(load_frame_parse, batched_frame_as_the_server_prints_it) {
  std::string type;
  auto [change, users] = parse(
    R"({"presence":"away","presence_detail":"away","type":"presence_change","users":["U1","U2"]})",
    type);
  EXPECT_TRUE(change);
  EXPECT_EQ(type, "presence_change");
  EXPECT_EQ(users, (seen{{"U1", "away"}, {"U2", "away"}}));
}

TEST(load_frame_parse, single_user_frame_prefers_presence_detail) {
  std::string type;
  auto [change, users] =
    parse(R"({"type":"presence_change","user":"U9","presence":"active","presence_detail":"busy"})",
          type);
  EXPECT_TRUE(change);
  EXPECT_EQ(users, (seen{{"U9", "busy"}}));
}

TEST(load_frame_parse, whitespace_and_escapes_fall_back_to_the_json_parser) {
  std::string type;
  auto [change, users] =
    parse(R"({ "type": "presence_change", "presence": "active", "users": ["a\"b", "c"] })", type);
  EXPECT_TRUE(change);
  EXPECT_EQ(users, (seen{{"a\"b", "active"}, {"c", "active"}}));
}

TEST(load_frame_parse, other_frames_are_not_changes) {
  std::string type;
  EXPECT_FALSE(parse(R"({"type":"hello"})", type).first);
  EXPECT_EQ(type, "hello");
  EXPECT_FALSE(parse(R"({"type":"user_status_changed","user":{"id":"U1"}})", type).first);
  EXPECT_EQ(type, "user_status_changed");
  EXPECT_FALSE(parse("not json", type).first);
  EXPECT_TRUE(type.empty());
  EXPECT_FALSE(parse(R"({"type":"presence_change","users":["unterminated)", type).first);
}

TEST(load_frame_parse, an_empty_batch_is_a_change_with_no_users) {
  std::string type;
  auto [change, users] = parse(R"({"presence":"away","type":"presence_change","users":[]})", type);
  EXPECT_TRUE(change);
  EXPECT_TRUE(users.empty());
}

TEST(load_frame_parse, user_change_gives_the_user_and_its_status_text) {
  std::string type;
  auto [change, users] = parse(
    R"({"type":"user_change","user":{"deleted":false,"id":"ld1x7","is_admin":false,"is_bot":false,)"
    R"("name":"ld1x7","profile":{"status_emoji":":speech_balloon:","status_expiration":0,)"
    R"("status_text":"away"}}})",
    type);
  EXPECT_TRUE(change);
  EXPECT_EQ(type, "user_change");
  EXPECT_EQ(users, (seen{{"ld1x7", "away"}}));
}

} // namespace
