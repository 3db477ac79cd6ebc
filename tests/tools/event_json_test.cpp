// The export-format mapping: every event type survives to_json → parse, and faults are named.
#include "event_json.hpp"

#include <fstream>
#include <set>
#include <variant>

#include "support/test_support.hpp"

namespace presence::tools {
namespace {

TEST(event_json, fields_come_in_the_documented_order) {
  events::event ev;
  ev.seq = 7;
  ev.ts = 1795219200LL * 1'000'000 + 42;
  ev.stream = "alice";
  ev.by = "alice";
  ev.via = "users.setPresence";
  ev.body = events::presence_set{events::manual_mode::busy, 1795222800LL * 1'000'000};
  EXPECT_EQ(to_json_line(ev),
            R"({"seq":7,"ts":"2026-11-21T00:00:00.000042Z","stream":"alice","type":"presence_set","by":"alice","via":"users.setPresence","mode":"busy","until":"2026-11-21T01:00:00.000000Z"})");
  ev.body = events::presence_set{events::manual_mode::automatic, 0};
  EXPECT_EQ(describe_fields(ev), R"(mode="auto")");
}

TEST(event_json, the_audit_fields_follow_via_only_when_set_and_round_trip) {
  events::event ev;
  ev.seq = 8;
  ev.ts = 1795219200LL * 1'000'000;
  ev.stream = "alice";
  ev.by = "admin";
  ev.via = "users.setPresence";
  ev.token_id = "$admin-token";
  ev.address = "127.0.0.1";
  ev.body = events::presence_set{events::manual_mode::away, 0};
  const std::string line = to_json_line(ev);
  EXPECT_EQ(line,
            R"({"seq":8,"ts":"2026-11-21T00:00:00.000000Z","stream":"alice","type":"presence_set","by":"admin","via":"users.setPresence","token_id":"$admin-token","address":"127.0.0.1","mode":"away"})");
  EXPECT_EQ(describe_fields(ev), R"(mode="away")");
  auto parsed = parse_event_line(line);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->ev.token_id, "$admin-token");
  EXPECT_EQ(parsed->ev.address, "127.0.0.1");
  EXPECT_EQ(to_json_line(parsed->ev), line);
}

TEST(event_json, every_line_of_the_all_types_file_round_trips) {
  std::ifstream in(std::string(PRESENCE_TOOLS_TEST_DATA) + "/all_types.jsonl");
  std::set<events::event_type> seen;
  for (std::string line; std::getline(in, line);) {
    auto parsed = parse_event_line(line);
    ASSERT_OK(parsed);
    EXPECT_TRUE(parsed->has_seq);
    EXPECT_EQ(to_json_line(parsed->ev), line);
    seen.insert(events::type_of(parsed->ev.body));
  }
  EXPECT_EQ(seen.size(), std::variant_size_v<events::payload>) << "every event type is covered";
}

TEST(event_json, seq_and_via_are_optional_the_rest_is_required) {
  auto parsed = parse_event_line(
    R"({"ts":"2026-11-21T00:00:00Z","stream":"$workspace","type":"service_enabled","by":"root"})");
  ASSERT_OK(parsed);
  EXPECT_FALSE(parsed->has_seq);
  EXPECT_EQ(parsed->ev.via, "");
  auto no_by = parse_event_line(
    R"({"ts":"2026-11-21T00:00:00Z","stream":"$workspace","type":"service_enabled"})");
  ASSERT_FALSE(no_by.ok());
  EXPECT_EQ(no_by.error().message, "field 'by' is missing");
}

TEST(event_json, names_the_faulty_field) {
  struct bad_line {
    const char* json;
    errc code;
    const char* message;
  };
  const bad_line cases[] = {
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"alice","type":"user_created","by":"x","user":"a","name":"A","admin":false})",
     errc::invalid_argument, "field 'stream' must be \"$workspace\" for a user_created event"},
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"$workspace","type":"away","by":"x"})",
     errc::invalid_user_id, "field 'stream' is not a valid user id ([A-Za-z0-9._-]{1,64})"},
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"a","type":"presence_set","by":"a","mode":"sleepy"})",
     errc::invalid_argument, "field 'mode' must be one of auto, away, busy, invisible"},
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"a","type":"preferences_set","by":"a","idle_timeout":-1,"auto_away":true})",
     errc::invalid_argument, "field 'idle_timeout' must be 0 (workspace default) or seconds"},
    {R"({"seq":0,"ts":"2026-11-21T00:00:00Z","stream":"a","type":"away","by":"a"})",
     errc::invalid_argument, "field 'seq' must be 1 or more"},
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"a","type":"away","by":"bad id"})",
     errc::invalid_user_id, "field 'by' is not a valid user id or \"system\""},
    {R"({"ts":"2026-11-21T00:00:00Z","stream":"a","type":"away","by":"a"} x)", errc::invalid_json,
     ""},
  };
  for (const auto& c : cases) {
    auto parsed = parse_event_line(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.error().code, c.code) << c.json << " → " << parsed.error().message;
    if (*c.message != '\0') {
      EXPECT_EQ(parsed.error().message, c.message);
    }
  }
}

} // namespace
} // namespace presence::tools
