#include "connection_limit.hpp"

#include <gtest/gtest.h>

namespace presence::actors {
namespace {

events::workspace_settings limit(uint64_t connections, uint64_t reenable_below = 0) {
  events::workspace_settings settings;
  settings.connection_limit = connections;
  settings.auto_reenable_below = reenable_below;
  return settings;
}

/// Four connects against limit 3 while the service is on: the fourth disables it.
void connect_four(connection_limit& counter, const events::workspace_settings& settings) {
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(counter.on_delta(+1, settings, true),
              i < 3 ? service_action::none : service_action::disable);
}

TEST(connection_limit, fourth_connect_past_limit_three_disables) {
  connection_limit counter;
  auto settings = limit(3);
  EXPECT_EQ(counter.on_delta(+1, settings, true), service_action::none);
  EXPECT_EQ(counter.on_delta(+1, settings, true), service_action::none);
  EXPECT_EQ(counter.on_delta(+1, settings, true), service_action::none);
  EXPECT_EQ(counter.count(), 3u);
  EXPECT_EQ(counter.on_delta(+1, settings, true), service_action::disable);
  EXPECT_EQ(counter.count(), 4u);
}

TEST(connection_limit, connects_while_disabled_are_counted_but_decide_nothing) {
  connection_limit counter;
  auto settings = limit(3);
  connect_four(counter, settings);
  EXPECT_EQ(counter.on_delta(+1, settings, false), service_action::none);
  EXPECT_EQ(counter.count(), 5u);
}

TEST(connection_limit, enable_refused_at_or_above_limit) {
  connection_limit counter;
  auto settings = limit(3);
  connect_four(counter, settings);
  EXPECT_FALSE(counter.can_enable(settings));
  (void)counter.on_delta(-1, settings, false);
  EXPECT_EQ(counter.count(), 3u);
  EXPECT_FALSE(counter.can_enable(settings)) << "at the limit is still refused";
  (void)counter.on_delta(-1, settings, false);
  EXPECT_TRUE(counter.can_enable(settings));
}

TEST(connection_limit, zero_means_unlimited) {
  connection_limit counter;
  auto settings = limit(0);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(counter.on_delta(+1, settings, true), service_action::none);
  EXPECT_TRUE(counter.can_enable(settings));
}

TEST(connection_limit, count_never_goes_below_zero) {
  connection_limit counter;
  auto settings = limit(3);
  EXPECT_EQ(counter.on_delta(-1, settings, true), service_action::none);
  EXPECT_EQ(counter.count(), 0u);
  (void)counter.on_delta(+2, settings, true);
  (void)counter.on_delta(INT64_MIN, settings, true);
  EXPECT_EQ(counter.count(), 0u);
}

TEST(connection_limit, auto_reenable_below_turns_back_on_by_itself) {
  connection_limit counter;
  auto settings = limit(3, 2);
  connect_four(counter, settings);
  EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::none);     // 3
  EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::none);     // 2: not below 2
  EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::reenable); // 1
  EXPECT_EQ(counter.on_delta(-1, settings, true), service_action::none) << "already on";
}

TEST(connection_limit, auto_reenable_never_at_or_above_the_limit) {
  connection_limit counter;
  auto settings = limit(3, 10); // a threshold above the limit must not make it flap
  connect_four(counter, settings);
  EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::none);     // 3 = limit
  EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::reenable); // 2
}

TEST(connection_limit, setting_auto_reenable_while_already_below_reenables) {
  connection_limit counter;
  auto settings = limit(3);
  connect_four(counter, settings);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(counter.on_delta(-1, settings, false), service_action::none);
  EXPECT_EQ(counter.on_settings(settings, false), service_action::none);
  settings.auto_reenable_below = 2;
  EXPECT_EQ(counter.on_settings(settings, false), service_action::reenable);
  EXPECT_EQ(counter.on_settings(settings, true), service_action::none);
}

TEST(connection_limit, other_nodes_connections_count_toward_the_limit) {
  connection_limit counter;
  auto settings = limit(3, 2);
  EXPECT_EQ(counter.on_delta(+1, settings, true), service_action::none);
  // Two more on other nodes: at the limit, not past it.
  EXPECT_EQ(counter.on_others(2, settings, true), service_action::none);
  EXPECT_EQ(counter.count(), 3u);
  EXPECT_EQ(counter.local(), 1u);
  EXPECT_FALSE(counter.can_enable(settings));
  // A rise elsewhere passes it, as a connect here would.
  EXPECT_EQ(counter.on_others(3, settings, true), service_action::disable);
  // A fall elsewhere below auto_reenable_below turns it back on.
  // 1 + 1 = 2: not below 2 yet.
  EXPECT_EQ(counter.on_others(1, settings, false), service_action::none);
  EXPECT_EQ(counter.on_others(0, settings, false), service_action::reenable);
  EXPECT_EQ(counter.count(), 1u);
}

} // namespace
} // namespace presence::actors
