#include "presence/events/workspace_state.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::events {
namespace {

TEST(workspace_settings, defaults) {
  const workspace_settings s;
  EXPECT_EQ(s.idle_timeout, 600);
  EXPECT_EQ(s.connection_limit, 200u);
  EXPECT_EQ(s.flush_interval_ms, 100);
  EXPECT_EQ(s.activity_log_interval, 30);
  EXPECT_EQ(s.auto_reenable_below, 0u);
  EXPECT_FALSE(s.degraded_query_only);
  EXPECT_EQ(s.max_subscription, 500u);
}

TEST(workspace_settings, accepts_values_at_both_ends_of_each_range) {
  workspace_settings s;
  EXPECT_OK(set_setting(s, "idle_timeout", "1"));
  EXPECT_OK(set_setting(s, "idle_timeout", "604800"));
  EXPECT_EQ(s.idle_timeout, 604800);
  EXPECT_OK(set_setting(s, "connection_limit", "0"));
  EXPECT_EQ(s.connection_limit, 0u);
  EXPECT_OK(set_setting(s, "connection_limit", "18446744073709551615"));
  EXPECT_OK(set_setting(s, "flush_interval_ms", "1"));
  EXPECT_OK(set_setting(s, "flush_interval_ms", "10000"));
  EXPECT_OK(set_setting(s, "activity_log_interval", "3600"));
  EXPECT_OK(set_setting(s, "auto_reenable_below", "150"));
  EXPECT_EQ(s.auto_reenable_below, 150u);
  EXPECT_OK(set_setting(s, "degraded_mode", "query_only"));
  EXPECT_TRUE(s.degraded_query_only);
  EXPECT_OK(set_setting(s, "degraded_mode", "off"));
  EXPECT_FALSE(s.degraded_query_only);
  EXPECT_OK(set_setting(s, "max_subscription", "100000"));
  EXPECT_OK(set_setting(s, "mobile_idle_timeout", "0"));
  EXPECT_OK(set_setting(s, "mobile_idle_timeout", "604800"));
  EXPECT_EQ(s.mobile_idle_timeout, 604800);
  EXPECT_EQ(s.max_subscription, 100000u);
}

TEST(workspace_settings, rejects_out_of_range_and_malformed_values_unchanged) {
  const std::pair<const char*, const char*> bad[] = {
    {"idle_timeout", "0"},           {"idle_timeout", "604801"},
    {"idle_timeout", "-5"},          {"idle_timeout", "60s"},
    {"idle_timeout", " 60"},         {"idle_timeout", "+60"},
    {"idle_timeout", ""},            {"connection_limit", "-1"},
    {"connection_limit", "18446744073709551616"},
    {"flush_interval_ms", "0"},      {"flush_interval_ms", "10001"},
    {"activity_log_interval", "0"},  {"activity_log_interval", "3601"},
    {"mobile_idle_timeout", "-1"},   {"mobile_idle_timeout", "604801"},
    {"max_subscription", "0"},       {"max_subscription", "100001"},
    {"degraded_mode", "on"},         {"degraded_mode", ""},
    {"presence_history", "all"},     {"presence_history", "Self"},
    {"no_such_key", "1"},            {"", ""},
  };
  for (auto [key, value] : bad) {
    workspace_settings s;
    ASSERT_ERRC(set_setting(s, key, value), errc::invalid_setting);
    EXPECT_EQ(s, workspace_settings{}) << key << "=" << value;
  }
}

TEST(workspace_settings, error_names_the_key_and_range) {
  workspace_settings s;
  const status st = set_setting(s, "idle_timeout", "0");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("idle_timeout"), std::string::npos);
  EXPECT_NE(st.error().message.find("1..604800"), std::string::npos);
}

TEST(workspace_settings, list_settings_round_trips_through_set_setting) {
  workspace_settings changed;
  ASSERT_OK(set_setting(changed, "idle_timeout", "900"));
  ASSERT_OK(set_setting(changed, "connection_limit", "3"));
  ASSERT_OK(set_setting(changed, "degraded_mode", "query_only"));
  ASSERT_OK(set_setting(changed, "presence_history", "everyone"));
  const auto listed = list_settings(changed);
  ASSERT_EQ(listed.size(), 9u);
  EXPECT_EQ(listed[8], (std::pair<std::string, std::string>{"presence_history", "everyone"}));
  EXPECT_EQ(listed[0], (std::pair<std::string, std::string>{"idle_timeout", "900"}));
  EXPECT_EQ(listed[5], (std::pair<std::string, std::string>{"degraded_mode", "query_only"}));
  workspace_settings copy;
  for (const auto& [key, value] : listed)
    ASSERT_OK(set_setting(copy, key, value));
  EXPECT_EQ(copy, changed);
}

} // namespace
} // namespace presence::events
