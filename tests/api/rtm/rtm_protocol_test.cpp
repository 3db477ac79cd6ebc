#include "rtm/rtm_protocol.hpp"

#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

// GoogleTest's generic printer recurses forever on a JSON value (a container of itself).
NLOHMANN_JSON_NAMESPACE_BEGIN
inline void PrintTo(const basic_json<>& value, std::ostream* out) {
  *out << value.dump();
}
NLOHMANN_JSON_NAMESPACE_END

namespace {

using namespace presence::api::rtm;
using presence::events::presence_value;
using nlohmann::json;

constexpr std::size_t query_max = 500;
constexpr std::size_t sub_max = 3;

client_message parse(const std::string& text) {
  return parse_client_message(text, query_max, sub_max);
}

bad_message as_bad(const client_message& msg) {
  auto* bad = std::get_if<bad_message>(&msg);
  EXPECT_NE(bad, nullptr) << "expected a bad_message";
  return bad != nullptr ? *bad : bad_message{};
}

json ids_frame(const std::string& type, std::size_t count) {
  json ids = json::array();
  for (std::size_t i = 0; i < count; ++i)
    ids.push_back("U" + std::to_string(i));
  return json{{"type", type}, {"ids", ids}};
}

TEST(rtm_protocol, parses_presence_sub_keeping_order_and_dropping_duplicates) {
  auto msg = parse(R"({"type":"presence_sub","ids":["U2","U1","U2"],"id":7})");
  auto* sub = std::get_if<presence_sub_message>(&msg);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->ids, (std::vector<std::string>{"U2", "U1"}));
  EXPECT_EQ(sub->reply_to, json(7));
}

TEST(rtm_protocol, empty_presence_sub_is_valid_and_clears_the_subscription) {
  auto msg = parse(R"({"type":"presence_sub","ids":[]})");
  auto* sub = std::get_if<presence_sub_message>(&msg);
  ASSERT_NE(sub, nullptr);
  EXPECT_TRUE(sub->ids.empty());
}

TEST(rtm_protocol, parses_presence_query) {
  auto msg = parse(R"({"type":"presence_query","ids":["W123456","U1"]})");
  auto* query = std::get_if<presence_query_message>(&msg);
  ASSERT_NE(query, nullptr);
  EXPECT_EQ(query->ids, (std::vector<std::string>{"W123456", "U1"}));
  EXPECT_TRUE(query->reply_to.is_null());
}

TEST(rtm_protocol, ping_and_tickle) {
  auto ping = parse(R"({"type":"ping","id":42,"time":"x"})");
  ASSERT_TRUE(std::holds_alternative<ping_message>(ping));
  EXPECT_EQ(std::get<ping_message>(ping).frame.at("time"), "x");
  EXPECT_TRUE(std::holds_alternative<tickle_message>(parse(R"({"type":"tickle"})")));
}

TEST(rtm_protocol, rejects_malformed_frames) {
  EXPECT_EQ(as_bad(parse("{not json")).code, protocol_error::invalid_json);
  EXPECT_EQ(as_bad(parse("")).code, protocol_error::invalid_json);
  EXPECT_EQ(as_bad(parse("[1,2]")).code, protocol_error::invalid_message);
  EXPECT_EQ(as_bad(parse(R"({"id":1})")).code, protocol_error::invalid_message);
  EXPECT_EQ(as_bad(parse(R"({"type":5})")).code, protocol_error::invalid_message);
  auto unknown = as_bad(parse(R"({"type":"message","id":"a"})"));
  EXPECT_EQ(unknown.code, protocol_error::unknown_type);
  EXPECT_EQ(unknown.reply_to, json("a"));
}

TEST(rtm_protocol, rejects_deeply_nested_frames_as_invalid_json) {
  // A ping is echoed: a deep value would be copied and printed recursively.
  auto deep = R"({"type":"ping","id":3,"x":)" + std::string(100'000, '[') +
              std::string(100'000, ']') + "}";
  auto bad = as_bad(parse(deep));
  EXPECT_EQ(bad.code, protocol_error::invalid_json);
  EXPECT_NE(bad.detail.find("deeper than"), std::string::npos) << bad.detail;
}

TEST(rtm_protocol, rejects_bad_ids) {
  EXPECT_EQ(as_bad(parse(R"({"type":"presence_sub"})")).code, protocol_error::invalid_ids);
  EXPECT_EQ(as_bad(parse(R"({"type":"presence_sub","ids":"U1"})")).code,
            protocol_error::invalid_ids);
  EXPECT_EQ(as_bad(parse(R"({"type":"presence_query","ids":["U1",2]})")).code,
            protocol_error::invalid_ids);
  auto bad_id = as_bad(parse(R"({"type":"presence_query","ids":["U1","bad id!"]})"));
  EXPECT_EQ(bad_id.code, protocol_error::invalid_ids);
  EXPECT_NE(bad_id.detail.find("ids[1]"), std::string::npos) << bad_id.detail;
  EXPECT_EQ(as_bad(parse(R"({"type":"presence_query","ids":[""]})")).code,
            protocol_error::invalid_ids);
}

TEST(rtm_protocol, bounds_ids_per_message_type) {
  EXPECT_TRUE(std::holds_alternative<presence_sub_message>(
    parse(ids_frame("presence_sub", sub_max).dump())));
  EXPECT_EQ(as_bad(parse(ids_frame("presence_sub", sub_max + 1).dump())).code,
            protocol_error::too_many_ids);
  EXPECT_TRUE(std::holds_alternative<presence_query_message>(
    parse(ids_frame("presence_query", query_max).dump())));
  EXPECT_EQ(as_bad(parse(ids_frame("presence_query", query_max + 1).dump())).code,
            protocol_error::too_many_ids);
}

TEST(rtm_protocol, slack_presence_is_active_or_away) {
  EXPECT_STREQ(slack_presence(presence_value::online), "active");
  EXPECT_STREQ(slack_presence(presence_value::busy), "active");
  EXPECT_STREQ(slack_presence(presence_value::away), "away");
  EXPECT_STREQ(slack_presence(presence_value::offline), "away");
  EXPECT_STREQ(slack_presence(presence_value::disabled), "away");
  EXPECT_STREQ(presence_name(presence_value::busy), "busy");
}

TEST(rtm_protocol, renders_batched_and_single_presence_change) {
  auto batched = render_presence_change(presence_value::away, {"U1", "U2"}, true);
  ASSERT_EQ(batched.size(), 1u);
  EXPECT_EQ(json::parse(batched[0]), (json{{"type", "presence_change"},
                                           {"presence", "away"},
                                           {"presence_detail", "away"},
                                           {"users", {"U1", "U2"}}}));
  auto single = render_presence_change(presence_value::busy, {"U1", "U2"}, false);
  ASSERT_EQ(single.size(), 2u);
  EXPECT_EQ(json::parse(single[1]), (json{{"type", "presence_change"},
                                          {"presence", "active"},
                                          {"presence_detail", "busy"},
                                          {"user", "U2"}}));
  EXPECT_TRUE(render_presence_change(presence_value::away, {}, true).empty());
}

TEST(rtm_protocol, batched_presence_change_is_byte_for_byte_what_the_json_library_prints) {
  // The batched frame is spliced by hand (no JSON value per user); it must stay identical.
  std::vector<std::string> users{"U1", "a.b_c-D9", std::string(64, 'z'), "quote\"back\\slash"};
  json expected{{"type", "presence_change"}, {"presence", "active"},
                {"presence_detail", "online"}, {"users", users}};
  auto batched = render_presence_change(presence_value::online, users, true);
  ASSERT_EQ(batched.size(), 1u);
  EXPECT_EQ(batched[0], expected.dump());
}

TEST(rtm_protocol, query_answer_groups_by_presence) {
  auto frames = render_presence_answer({{"U1", presence_value::online},
                                        {"U2", presence_value::offline},
                                        {"U3", presence_value::online}},
                                       true);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(json::parse(frames[0]).at("users"), (json{"U1", "U3"}));
  EXPECT_EQ(json::parse(frames[1]).at("users"), (json{"U2"}));
  EXPECT_EQ(render_presence_answer({{"U1", presence_value::online}}, false).size(), 1u);
}

TEST(rtm_protocol, pong_echoes_the_ping_with_reply_to) {
  auto pong = json::parse(render_pong(json{{"type", "ping"}, {"id", 9}, {"time", 123}}));
  EXPECT_EQ(pong, (json{{"type", "pong"}, {"reply_to", 9}, {"time", 123}}));
  EXPECT_EQ(json::parse(render_pong(json{{"type", "ping"}})), (json{{"type", "pong"}}));
}

TEST(rtm_protocol, error_frame_has_slack_shape) {
  auto frame = json::parse(render_error(protocol_error::ratelimited, "slow down", 3));
  EXPECT_EQ(frame.at("type"), "error");
  EXPECT_EQ(frame.at("error").at("code"), 6);
  EXPECT_EQ(frame.at("error").at("msg"), "ratelimited");
  EXPECT_EQ(frame.at("error").at("detail"), "slow down");
  EXPECT_EQ(frame.at("reply_to"), 3);
  EXPECT_FALSE(json::parse(render_error(protocol_error::invalid_json, "x")).contains("reply_to"));
}

TEST(rtm_protocol, renders_notifications) {
  presence::notification manual;
  manual.type = presence::notification::kind::manual_presence_change;
  manual.presence = presence_value::away;
  auto frames = render_notification(manual, true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(json::parse(frames[0]).at("type"), "manual_presence_change");
  EXPECT_EQ(json::parse(frames[0]).at("presence"), "away");

  presence::notification status;
  status.type = presence::notification::kind::user_status_changed;
  status.users = {"U1"};
  status.status = {"riding a train", ":mountain_railway:", 1532627506};
  frames = render_notification(status, true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(json::parse(frames[0]),
            (json{{"type", "user_status_changed"},
                  {"user",
                   {{"id", "U1"},
                    {"profile",
                     {{"status_text", "riding a train"},
                      {"status_emoji", ":mountain_railway:"},
                      {"status_expiration", 1532627506}}}}}}));

  presence::notification service;
  service.type = presence::notification::kind::presence_service_status;
  service.service_enabled = false;
  service.reason = "admin";
  service.connections = 7;
  service.limit = 200;
  frames = render_notification(service, true);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(json::parse(frames[0]), (json{{"type", "presence_service_status"},
                                          {"enabled", false},
                                          {"reason", "admin"},
                                          {"connections", 7},
                                          {"limit", 200}}));
  service.service_enabled = true;
  EXPECT_EQ(json::parse(render_notification(service, true)[0]),
            (json{{"type", "presence_service_status"},
                  {"enabled", true},
                  {"connections", 7},
                  {"limit", 200}}));

  presence::notification change;
  change.presence = presence_value::online;
  change.users = {"U1", "U2", "U3"};
  EXPECT_EQ(render_notification(change, false).size(), 3u);
  EXPECT_EQ(render_notification(change, true).size(), 1u);
}

TEST(rtm_protocol, user_change_is_slacks_user_object_one_frame_per_user) {
  presence::user_profile person;
  person.user.id = "U1";
  person.user.name = "Una";
  person.status = {"riding a train", ":mountain_railway:", 1532627506};
  presence::user_profile bot;
  bot.user.id = "B1";
  bot.user.name = "robo";
  bot.user.bot = true;
  bot.user.always_active = true;
  presence::notification note;
  note.type = presence::notification::kind::user_change;
  note.profiles =
    std::make_shared<const std::vector<presence::user_profile>>(std::vector{person, bot});
  auto frames = render_notification(note, true);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(json::parse(frames[0]),
            (json{{"type", "user_change"},
                  {"user",
                   {{"id", "U1"},
                    {"name", "Una"},
                    {"deleted", false},
                    {"is_admin", false},
                    {"is_bot", false},
                    {"profile",
                     {{"status_text", "riding a train"},
                      {"status_emoji", ":mountain_railway:"},
                      {"status_expiration", 1532627506}}}}}}));
  auto rendered_bot = json::parse(frames[1]).at("user");
  EXPECT_EQ(rendered_bot.at("is_bot"), true);
  EXPECT_EQ(rendered_bot.at("profile").at("always_active"), true);
  EXPECT_EQ(rendered_bot.at("profile").at("status_text"), "");
  // Another session of the same flush gets the same frames (rendered once); a new list with the
  // same users is rendered anew.
  EXPECT_EQ(render_notification(note, false), frames);
  auto later = note;
  bot.user.always_active = false;
  later.profiles = std::make_shared<const std::vector<presence::user_profile>>(std::vector{bot});
  auto again = render_notification(later, true);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(json::parse(again[0]).at("user").at("profile").at("always_active"), false);
}

TEST(rtm_protocol, hello_and_goodbye) {
  EXPECT_EQ(json::parse(render_hello()), (json{{"type", "hello"}}));
  EXPECT_EQ(json::parse(render_goodbye()), (json{{"type", "goodbye"}}));
}

} // namespace
