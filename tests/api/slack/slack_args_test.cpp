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

} // namespace
} // namespace presence::api::slack
