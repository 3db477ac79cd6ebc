// The Web API's pure argument mapping (api/src/slack/slack_args.hpp): what each method accepts,
// and which refusal comes first when several apply.
#include "slack/slack_args.hpp"

#include <gtest/gtest.h>

namespace presence::api::slack {
namespace {

using nlohmann::json;

constexpr events::timestamp_us now_us = 1'700'000'000'000'000;
const events::user_record alice{"alice", "Alice", false, true, 1};
const events::user_record admin{"admin", "Admin", true, true, 1};

template <class T>
std::string refusal(const parsed<T>& p) {
  const auto* err = std::get_if<arg_error>(&p);
  return err ? err->code : "accepted";
}

TEST(slack_args, target_user_needs_an_admin_for_someone_else) {
  EXPECT_EQ(std::get<std::string>(parse_target_user(json{{"user", ""}}, alice)), "alice");
  EXPECT_EQ(std::get<std::string>(parse_target_user(json{{"user", "alice"}}, alice)), "alice");
  EXPECT_EQ(refusal(parse_target_user(json{{"user", "bob"}}, alice)), "not_admin");
  EXPECT_EQ(std::get<std::string>(parse_target_user(json{{"user", "bob"}}, admin)), "bob");
}

TEST(slack_args, set_presence_checks_in_order) {
  // not_admin comes before a missing presence.
  EXPECT_EQ(refusal(parse_set_presence(json{{"user", "bob"}}, alice, now_us)), "not_admin");
  EXPECT_EQ(refusal(parse_set_presence(json::object(), alice, now_us)), "invalid_presence");
  EXPECT_EQ(refusal(parse_set_presence(json{{"presence", "gone"}}, alice, now_us)),
            "invalid_presence");
  EXPECT_EQ(
    refusal(parse_set_presence(json{{"presence", "away"}, {"expiration", "x"}}, alice, now_us)),
    "invalid_arguments");
  EXPECT_EQ(refusal(parse_set_presence(json{{"presence", "auto"}, {"expiration", 1'900'000'000}},
                                       alice, now_us)),
            "invalid_arguments");
  EXPECT_EQ(refusal(parse_set_presence(json{{"presence", "busy"}, {"expiration", "1600000000"}},
                                       alice, now_us)),
            "expiration_in_past");
  auto args = std::get<set_presence_args>(
    parse_set_presence(json{{"presence", "busy"}, {"expiration", "1900000000.5"}}, alice, now_us));
  EXPECT_EQ(args.user, "alice");
  EXPECT_EQ(args.mode, events::manual_mode::busy);
  EXPECT_EQ(args.until, events::to_instant(1'900'000'000'500'000));
}

TEST(slack_args, get_presence_refuses_the_future) {
  auto args = std::get<get_presence_args>(parse_get_presence(json::object(), alice, now_us));
  EXPECT_EQ(args.user, "alice");
  EXPECT_FALSE(args.at.has_value());
  EXPECT_EQ(refusal(parse_get_presence(json{{"at", 1'800'000'000}}, alice, now_us)),
            "invalid_arguments");
  args = std::get<get_presence_args>(
    parse_get_presence(json{{"user", "bob"}, {"at", "1600000000"}}, alice, now_us));
  EXPECT_EQ(args.user, "bob");
  EXPECT_EQ(args.at, events::to_instant(1'600'000'000'000'000));
}

TEST(slack_args, profile_set_reads_profile_text_or_name_value) {
  auto args = std::get<profile_set_args>(parse_profile_set(
    json{{"profile", R"({"status_text":"Lunch","status_emoji":":taco:","title":"x"})"}}, alice,
    now_us));
  EXPECT_EQ(args.update.text, "Lunch");
  EXPECT_EQ(args.update.emoji, ":taco:");
  EXPECT_FALSE(args.update.expiration.has_value());
  args = std::get<profile_set_args>(
    parse_profile_set(json{{"name", "status_expiration"}, {"value", "0"}}, alice, now_us));
  EXPECT_EQ(args.update.expiration, 0);
  EXPECT_EQ(refusal(parse_profile_set(json{{"profile", "{"}}, alice, now_us)), "invalid_profile");
  EXPECT_EQ(refusal(parse_profile_set(json{{"profile", "[1]"}}, alice, now_us)), "invalid_profile");
  EXPECT_EQ(refusal(parse_profile_set(json::object(), alice, now_us)), "invalid_profile");
  EXPECT_EQ(
    refusal(parse_profile_set(json{{"profile", {{"status_emoji", "taco"}}}}, alice, now_us)),
    "invalid_profile");
  EXPECT_EQ(
    refusal(parse_profile_set(json{{"profile", {{"status_expiration", 1}}}}, alice, now_us)),
    "expiration_in_past");
}

TEST(slack_args, admin_arguments) {
  auto user = std::get<create_user_args>(parse_create_user(json{{"id", "bob"}, {"admin", "yes"}}));
  EXPECT_EQ(user.name, "bob");
  EXPECT_TRUE(user.admin);
  EXPECT_EQ(refusal(parse_create_user(json{{"id", "bob"}, {"admin", "maybe"}})),
            "invalid_arguments");
  EXPECT_EQ(refusal(parse_required(json{{"user", ""}}, "user")), "invalid_arguments");
  auto changes = std::get<setting_changes>(
    parse_settings_set(json{{"settings", R"({"idle_timeout":900,"degraded_mode":"off"})"}}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1], (std::pair<std::string, std::string>{"idle_timeout", "900"}));
  EXPECT_EQ(refusal(parse_settings_set(json{{"key", "idle_timeout"}})), "invalid_arguments");
  EXPECT_EQ(refusal(parse_rtm_connect(json{{"batch_presence_aware", "2"}})), "invalid_arguments");
  EXPECT_FALSE(
    std::get<rtm_connect_args>(parse_rtm_connect(json{{"batch_presence_aware", "0"}}))
      .batch_presence_aware);
  EXPECT_EQ(std::get<rtm_connect_args>(parse_rtm_connect(json::object())).client, "rtm");
  EXPECT_EQ(std::get<rtm_connect_args>(parse_rtm_connect(json{{"client", "mobile"}})).client,
            "mobile");
  EXPECT_EQ(refusal(parse_rtm_connect(json{{"client", "phone"}})), "invalid_arguments");
}

TEST(slack_args, presets_refuse_disabled_and_need_their_fields) {
  EXPECT_EQ(refusal(parse_preset_create(json{{"presence", "disabled"}})), "invalid_presence");
  EXPECT_EQ(refusal(parse_preset_create(json{{"name", "Focus"}})), "invalid_arguments");
  auto created =
    std::get<preset_args>(parse_preset_create(json{{"name", "Focus"}, {"presence", "busy"}}));
  EXPECT_EQ(created.presence, events::presence_value::busy);
  EXPECT_EQ(refusal(parse_preset_update(json{{"presence", "away"}})), "invalid_arguments");
  auto updated = std::get<preset_args>(parse_preset_update(json{{"id", "p1"}}));
  EXPECT_EQ(updated.id, "p1");
  EXPECT_FALSE(updated.name || updated.presence);
}

TEST(slack_args, users_list_cursor_round_trips_and_limits_are_checked) {
  auto first = std::get<users_list_args>(parse_users_list(json::object()));
  EXPECT_EQ(first.after, "");
  EXPECT_EQ(first.limit, 100u);
  EXPECT_FALSE(first.include_presence);
  auto next = parse_users_list({{"cursor", users_list_cursor("bob.smith")}, {"limit", "1000"},
                                {"include_presence", "true"}});
  ASSERT_TRUE(std::holds_alternative<users_list_args>(next));
  EXPECT_EQ(std::get<users_list_args>(next).after, "bob.smith");
  EXPECT_EQ(std::get<users_list_args>(next).limit, 1000u);
  EXPECT_TRUE(std::get<users_list_args>(next).include_presence);
  for (const char* cursor : {"zz", "abc", "757365723a", "626f62"})  // not hex, odd, "user:", "bob"
    EXPECT_EQ(std::get<arg_error>(parse_users_list({{"cursor", cursor}})).code, "invalid_cursor")
      << cursor;
  for (const char* limit : {"1001", "-1", "many"})
    EXPECT_EQ(std::get<arg_error>(parse_users_list({{"limit", limit}})).code, "invalid_limit")
      << limit;
}

TEST(slack_args, report_takes_a_user_and_a_utc_day) {
  auto report = parse_report({{"user", "alice"}, {"day", "2026-12-06"}});
  ASSERT_TRUE(std::holds_alternative<report_args>(report));
  EXPECT_EQ(std::get<report_args>(report).start, 1'796'515'200'000'000);
  EXPECT_EQ(std::get<report_args>(report).end, 1'796'515'200'000'000 + 86'400'000'000);
  auto leap = std::get<report_args>(parse_report({{"user", "alice"}, {"day", "2024-02-29"}}));
  EXPECT_EQ(leap.start, 1'709'164'800'000'000);
  for (const char* day : {"", "2026-13-01", "2026-12-6", "06/12/2026", "2026-12-06x", "1969-12-31"})
    EXPECT_EQ(std::get<arg_error>(parse_report({{"user", "alice"}, {"day", day}})).code,
              "invalid_arguments")
      << day;
  EXPECT_EQ(std::get<arg_error>(parse_report({{"day", "2026-12-06"}})).code, "invalid_arguments");
}

} // namespace
} // namespace presence::api::slack
