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

TEST(LoadFrameParseTest, BatchedFrameAsTheServerPrintsIt) {
  std::string type;
  auto [change, users] = parse(
    R"({"presence":"away","presence_detail":"away","type":"presence_change","users":["U1","U2"]})",
    type);
  EXPECT_TRUE(change);
  EXPECT_EQ(type, "presence_change");
  EXPECT_EQ(users, (seen{{"U1", "away"}, {"U2", "away"}}));
}

TEST(LoadFrameParseTest, SingleUserFramePrefersPresenceDetail) {
  std::string type;
  auto [change, users] =
    parse(R"({"type":"presence_change","user":"U9","presence":"active","presence_detail":"busy"})",
          type);
  EXPECT_TRUE(change);
  EXPECT_EQ(users, (seen{{"U9", "busy"}}));
}

TEST(LoadFrameParseTest, WhitespaceAndEscapesFallBackToTheJsonParser) {
  std::string type;
  auto [change, users] =
    parse(R"({ "type": "presence_change", "presence": "active", "users": ["a\"b", "c"] })", type);
  EXPECT_TRUE(change);
  EXPECT_EQ(users, (seen{{"a\"b", "active"}, {"c", "active"}}));
}

TEST(LoadFrameParseTest, OtherFramesAreNotChanges) {
  std::string type;
  EXPECT_FALSE(parse(R"({"type":"hello"})", type).first);
  EXPECT_EQ(type, "hello");
  EXPECT_FALSE(parse(R"({"type":"user_status_changed","user":{"id":"U1"}})", type).first);
  EXPECT_EQ(type, "user_status_changed");
  EXPECT_FALSE(parse("not json", type).first);
  EXPECT_TRUE(type.empty());
  EXPECT_FALSE(parse(R"({"type":"presence_change","users":["unterminated)", type).first);
}

TEST(LoadFrameParseTest, AnEmptyBatchIsAChangeWithNoUsers) {
  std::string type;
  auto [change, users] = parse(R"({"presence":"away","type":"presence_change","users":[]})", type);
  EXPECT_TRUE(change);
  EXPECT_TRUE(users.empty());
}

} // namespace
