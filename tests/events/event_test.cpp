#include "presence/events/event.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "sample_events.hpp"

namespace presence::events {
namespace {

TEST(event, names_and_wire_tags_follow_design) {
  const std::pair<std::string_view, int> expected[] = {
    {"connected", 1},         {"disconnected", 2},      {"activity", 3},
    {"away", 4},              {"presence_set", 5},      {"presence_expired", 6},
    {"status_set", 7},        {"status_expired", 8},    {"preferences_set", 9},
    {"user_created", 32},     {"user_deactivated", 33}, {"token_issued", 34},
    {"token_revoked", 35},    {"setting_changed", 36},  {"preset_created", 37},
    {"preset_updated", 38},   {"preset_deleted", 39},   {"service_disabled", 40},
    {"service_enabled", 41},  {"epoch_started", 42},    {"preset_applied", 10},
    {"always_active_set", 43},
  };
  const auto events = test::one_event_of_each_type();
  ASSERT_EQ(std::size(expected), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const event_type type = type_of(events[i].body);
    EXPECT_EQ(static_cast<int>(type), expected[i].second);
    EXPECT_EQ(to_string(type), expected[i].first);
    EXPECT_EQ(parse_event_type(expected[i].first), type);
    EXPECT_EQ(is_user_event(type), expected[i].second < 32) << expected[i].first;
    EXPECT_EQ(events[i].stream == workspace_stream, !is_user_event(type));
  }
}

TEST(event, type_of_covers_every_variant_alternative_once) {
  std::set<event_type> types;
  for (const auto& ev : test::one_event_of_each_type())
    types.insert(type_of(ev.body));
  EXPECT_EQ(types.size(), std::variant_size_v<payload>);
}

TEST(event, unknown_names_do_not_parse) {
  EXPECT_FALSE(parse_event_type("Connected"));
  EXPECT_FALSE(parse_event_type(""));
  EXPECT_FALSE(parse_presence_value("active"));
  EXPECT_FALSE(parse_manual_mode("automatic"));
  EXPECT_FALSE(parse_disconnect_reason("crash"));
}

TEST(event, presence_value_names) {
  for (auto [value, name] : {std::pair{presence_value::online, "online"},
                             {presence_value::away, "away"},
                             {presence_value::busy, "busy"},
                             {presence_value::offline, "offline"},
                             {presence_value::disabled, "disabled"}}) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(parse_presence_value(name), value);
  }
}

TEST(event, manual_mode_names_use_auto_for_automatic) {
  for (auto [mode, name] : {std::pair{manual_mode::automatic, "auto"},
                            {manual_mode::away, "away"},
                            {manual_mode::busy, "busy"},
                            {manual_mode::invisible, "invisible"}}) {
    EXPECT_EQ(to_string(mode), name);
    EXPECT_EQ(parse_manual_mode(name), mode);
  }
}

TEST(event, disconnect_reason_names) {
  for (auto [reason, name] : {std::pair{disconnect_reason::closed, "closed"},
                              {disconnect_reason::timeout, "timeout"},
                              {disconnect_reason::server_restart, "server_restart"},
                              {disconnect_reason::kicked, "kicked"},
                              {disconnect_reason::token_revoked, "token_revoked"},
                              {disconnect_reason::account_inactive, "account_inactive"},
                              {disconnect_reason::node_lost, "node_lost"}}) {
    EXPECT_EQ(to_string(reason), name);
    EXPECT_EQ(parse_disconnect_reason(name), reason);
  }
}

} // namespace
} // namespace presence::events
