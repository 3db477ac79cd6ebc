// Phased flushes: with `flush_phases` ticks per interval, subscriber `id` is flushed at the ticks
// where tick % phases == id % phases (broadcaster.hpp). On the test clock, tick boundaries are
// exact multiples of interval / phases.
#include <cstddef>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broadcaster_test_support.hpp"
#include "engine_counters.hpp"

namespace presence::actors {
namespace {

class broadcaster_phases_test : public broadcaster_test {
 protected:
  /// `count` sinks, subscriber ids 1..count, each subscribed to `subjects` on `shard`, all told
  /// `online` at first; what they received since is cleared.
  std::vector<inbox> subscribers(const broadcaster_handle& shard, std::size_t count,
                                 const users& subjects) {
    std::vector<inbox> out;
    presence_list initial;
    for (const auto& s : subjects)
      initial.emplace_back(s, presence_value::online);
    for (std::size_t i = 1; i <= count; ++i) {
      auto [sink, received] = make_sink();
      subscribe(shard, i, sink, "", subjects, initial);
      received->clear();
      out.push_back(received);
    }
    return out;
  }

  /// The ids (1-based) of the subscribers in `all` that have received something.
  static std::vector<std::size_t> told(const std::vector<inbox>& all) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (!all[i]->empty())
        out.push_back(i + 1);
    return out;
  }
};

using ids = std::vector<std::size_t>;

TEST_F(broadcaster_phases_test, each_subscriber_is_flushed_once_at_its_own_tick) {
  auto shard = spawn_shard(0, 100, 10);
  auto all = subscribers(shard, 10, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(9);
  EXPECT_TRUE(told(all).empty());
  for (std::size_t tick = 1; tick <= 9; ++tick) {
    pass(10);  // 10 * tick + 9 ms after the publish: the tick at 10 * tick ms has run
    ids expected;
    for (std::size_t id = 1; id <= tick; ++id)
      expected.push_back(id);
    EXPECT_EQ(told(all), expected) << "after tick " << tick;
  }
  pass(1);  // 100 ms: phase 0 (subscriber 10)
  EXPECT_EQ(told(all).size(), 10u);
  for (const auto& received : all) {
    ASSERT_EQ(received->size(), 1u) << "one note per subscriber per interval";
    EXPECT_EQ((*received)[0].presence, presence_value::away);
  }
  EXPECT_FALSE(sched_.has_pending_timeout()) << "no timer once every phase was flushed";
}

TEST_F(broadcaster_phases_test, a_change_waits_at_most_one_interval_whatever_the_phase) {
  auto shard = spawn_shard(0, 100, 10);
  auto all = subscribers(shard, 4, {"alice"});
  pass(35);
  publish(shard, std::string{"alice"}, presence_value::busy);
  pass(5);  // 40 ms: tick 4
  EXPECT_EQ(told(all), ids{4});
  pass(89);  // 129 ms: ticks 5..12 passed, subscribers 1 and 2 told at 110 and 120
  EXPECT_EQ(told(all), (ids{1, 2, 4}));
  pass(1);  // 130 ms: tick 13, phase 3, 95 ms after the publish
  EXPECT_EQ(told(all), (ids{1, 2, 3, 4}));
}

TEST_F(broadcaster_phases_test, every_shard_flushes_a_subscriber_at_the_same_tick) {
  auto first = spawn_shard(0, 100, 10);
  auto second = spawn_shard(1, 100, 10);
  auto [sink, received] = make_sink();
  subscribe(first, 7, sink, "", {"alice"}, {{"alice", presence_value::online}});
  subscribe(second, 7, sink, "", {"bob"}, {{"bob", presence_value::online}});
  received->clear();
  publish(first, std::string{"alice"}, presence_value::away);
  publish(second, std::string{"bob"}, presence_value::away);
  pass(69);
  EXPECT_TRUE(received->empty());
  pass(1);
  EXPECT_EQ(received->size(), 2u) << "both shards' notes at tick 7";
}

TEST_F(broadcaster_phases_test, a_late_tick_flushes_every_phase_it_missed) {
  auto shard = spawn_shard(0, 100, 10);
  auto all = subscribers(shard, 10, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(50);  // the tick due at 10 ms runs at 50 ms: phases 1..5 are due
  EXPECT_EQ(told(all), (ids{1, 2, 3, 4, 5}));
  pass(50);
  EXPECT_EQ(told(all).size(), 10u);
  for (const auto& received : all)
    EXPECT_EQ(received->size(), 1u);
}

TEST_F(broadcaster_phases_test, each_flush_records_how_late_its_tick_ran) {
  auto counters = std::make_shared<broadcaster_counters>();
  auto shard = spawn_shard(0, 100, 10, counters);
  auto all = subscribers(shard, 10, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(10);  // the tick due at 10 ms, on time
  pass(45);  // the tick due at 20 ms runs at 55 ms (the test clock jumps): 35 ms late
  auto late = counters->tick_late_us.snapshot();
  ASSERT_EQ(late.count, 2u);
  EXPECT_EQ(late.sum, 35'000.0);
  EXPECT_EQ(late.counts[0], 1u) << "the punctual tick in the first bucket";
  EXPECT_EQ(counters->flush_us.snapshot().count, 2u) << "one duration per flush";
  EXPECT_EQ(told(all), (ids{1, 2, 3, 4, 5}));
}

TEST_F(broadcaster_phases_test, a_tick_held_to_the_one_ms_floor_is_not_counted_late) {
  auto counters = std::make_shared<broadcaster_counters>();
  auto shard = spawn_shard(0, 5, 10, counters);  // ticks of 0.5 ms: timers at least 1 ms ahead
  auto all = subscribers(shard, 2, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(1);  // the timer armed 1 ms ahead runs when due
  auto late = counters->tick_late_us.snapshot();
  ASSERT_EQ(late.count, 1u);
  EXPECT_EQ(late.sum, 0.0) << "the floor is when the timer was due, not a delay";
}

TEST_F(broadcaster_phases_test, a_new_flush_interval_sends_what_waits_at_once) {
  auto shard = spawn_shard(0, 100, 10);
  auto all = subscribers(shard, 3, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);
  pass(15);
  EXPECT_EQ(told(all), ids{1});
  events::workspace_settings settings;
  settings.flush_interval_ms = 250;
  tell(shard, settings_atom::value, settings);
  EXPECT_EQ(told(all), (ids{1, 2, 3})) << "the old grid's pending changes left at once";
  for (const auto& received : all)
    EXPECT_EQ(received->size(), 1u);
  // The new grid: ticks of 25 ms, subscriber n at tick n (mod 10). Now 15 ms.
  publish(shard, std::string{"alice"}, presence_value::online);
  auto twice = [&] {
    ids out;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i]->size() == 2)
        out.push_back(i + 1);
    return out;
  };
  pass(10);
  EXPECT_EQ(twice(), ids{1}) << "25 ms: tick 1";
  pass(25);
  EXPECT_EQ(twice(), (ids{1, 2})) << "50 ms: tick 2";
  pass(25);
  EXPECT_EQ(twice(), (ids{1, 2, 3})) << "75 ms: tick 3";
}

/// The presence_change notes among `received`.
std::size_t presence_changes(const inbox& received) {
  std::size_t n = 0;
  for (const auto& note : *received)
    n += note.type == kind::presence_change ? 1 : 0;
  return n;
}

TEST_F(broadcaster_phases_test, a_shorter_interval_does_not_wait_for_a_tick_of_the_old_one) {
  auto shard = spawn_shard(0, 10000, 1);
  auto all = subscribers(shard, 1, {"alice"});
  publish(shard, std::string{"alice"}, presence_value::away);  // a tick armed 10 s ahead
  events::workspace_settings settings;
  settings.flush_interval_ms = 100;
  tell(shard, settings_atom::value, settings);
  EXPECT_EQ(presence_changes(all[0]), 1u) << "what waited left at once";
  publish(shard, std::string{"alice"}, presence_value::online);
  pass(100);
  EXPECT_EQ(presence_changes(all[0]), 2u) << "within one new interval, not at the old tick";
}

TEST_F(broadcaster_phases_test, a_new_interval_while_the_service_is_off_keeps_ticks_running) {
  auto shard = spawn_shard(0, 5000, 1);
  auto all = subscribers(shard, 1, {"alice"});
  pass(60000);  // tick numbers of the two grids differ only once the clock is past zero
  publish(shard, std::string{"alice"}, presence_value::away);  // armed for 65 s
  tell(shard, service_atom::value, engine::service_state{false, 3, 2, "admin"});
  events::workspace_settings settings;
  settings.flush_interval_ms = 10000;
  tell(shard, settings_atom::value, settings);
  tell(shard, service_atom::value, engine::service_state{true, 1, 2, ""});  // resends the latest known presence
  pass(10000);
  ASSERT_EQ(presence_changes(all[0]), 1u) << "the resync";
  EXPECT_EQ(all[0]->back().presence, presence_value::away);
  publish(shard, std::string{"alice"}, presence_value::busy);
  pass(10000);
  EXPECT_EQ(presence_changes(all[0]), 2u) << "later changes still flush";
  EXPECT_FALSE(sched_.has_pending_timeout());
}

} // namespace
} // namespace presence::actors
