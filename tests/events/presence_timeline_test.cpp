// The presence timeline replayed from a user's and the workspace's events: stretches without
// gaps, merged when equal, the idle deadline and the service switch as change points.

#include "presence/events/presence_timeline.hpp"

#include <gtest/gtest.h>

#include "sample_events.hpp"

namespace presence::events {
namespace {

using test::make_event;

constexpr timestamp_us second = 1'000'000;
constexpr timestamp_us day_start = 1'700'006'400 * second;  // a midnight UTC

TEST(presence_timeline, covers_the_span_with_merged_stretches) {
  const std::string ws(workspace_stream);
  std::vector<event> log = {
    make_event(day_start - 10 * second, ws, setting_changed{"idle_timeout", "600"}, "admin", "", 1),
    make_event(day_start + 100 * second, "alice", connected{"c1", "web", 1}, "alice", "rtm", 2),
    make_event(day_start + 200 * second, "alice", activity{"c1"}, "alice", "c1", 3),
    make_event(day_start + 300 * second, "alice", disconnected{"c1", disconnect_reason::closed}, "alice", "", 4),
  };
  auto segments = presence_timeline("alice", log, day_start, day_start + 1000 * second);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].presence, presence_value::offline);
  EXPECT_EQ(segments[0].from, day_start);
  EXPECT_EQ(segments[0].to, day_start + 100 * second);
  // The activity at 200 s changes nothing visible: one online stretch.
  EXPECT_EQ(segments[1].presence, presence_value::online);
  EXPECT_EQ(segments[1].to, day_start + 300 * second);
  EXPECT_EQ(segments[2].presence, presence_value::offline);
  EXPECT_EQ(segments[2].to, day_start + 1000 * second);
}

TEST(presence_timeline, the_idle_deadline_and_the_service_switch_are_change_points) {
  const std::string ws(workspace_stream);
  std::vector<event> log = {
    make_event(day_start - 10 * second, ws, setting_changed{"idle_timeout", "60"}, "admin", "", 1),
    make_event(day_start, "alice", connected{"c1", "web", 1}, "alice", "rtm", 2),
    make_event(day_start + 500 * second, ws, service_disabled{"admin", 1}, "admin", "", 3),
    make_event(day_start + 700 * second, ws, service_enabled{}, "admin", "", 4),
  };
  auto segments = presence_timeline("alice", log, day_start, day_start + 800 * second);
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_EQ(segments[0].presence, presence_value::online);
  EXPECT_EQ(segments[0].to, day_start + 60 * second);
  EXPECT_EQ(segments[1].presence, presence_value::away);
  EXPECT_EQ(segments[2].presence, presence_value::disabled);
  EXPECT_EQ(segments[2].from, day_start + 500 * second);
  EXPECT_EQ(segments[3].presence, presence_value::away);
  EXPECT_EQ(segments[3].to, day_start + 800 * second);
}

TEST(presence_timeline, an_empty_span_has_no_stretch) {
  EXPECT_TRUE(presence_timeline("alice", {}, day_start, day_start).empty());
  auto whole = presence_timeline("alice", {}, day_start, day_start + second);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].presence, presence_value::offline);
}

} // namespace
} // namespace presence::events
