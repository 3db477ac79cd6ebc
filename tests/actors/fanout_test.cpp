#include "fanout.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace presence::actors {
namespace {

using events::presence_value;
using users = std::vector<std::string>;
using ids = std::vector<subscriber_id>;

/// A table where subscriber `id` subscribes to `subjects`.
void subscribe(fanout& table, subscriber_id id, const users& subjects) {
  (void) table.add(id, "");
  (void) table.replace(id, subjects);
}

TEST(fanout, one_batch_per_presence_value_with_sorted_users) {
  fanout table;
  subscribe(table, 7, {"alice", "bob", "carol", "dave"});
  table.publish("carol", presence_value::away, true);
  table.publish("alice", presence_value::away, true);
  table.publish("bob", presence_value::away, true);
  table.publish("dave", presence_value::online, true);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].subscriber, 7u);
  EXPECT_EQ(batches[0].presence, presence_value::online);
  EXPECT_EQ(batches[0].users, users{"dave"});
  EXPECT_EQ(batches[1].presence, presence_value::away);
  EXPECT_EQ(batches[1].users, (users{"alice", "bob", "carol"}));
  EXPECT_FALSE(table.has_pending());
  EXPECT_TRUE(table.flush().empty());
}

TEST(fanout, publish_without_subscribers_is_ignored) {
  fanout table;
  subscribe(table, 1, {"alice"});
  EXPECT_FALSE(table.publish("bob", presence_value::online, true));
  EXPECT_FALSE(table.has_pending());
  EXPECT_FALSE(table.known("bob"));
  EXPECT_TRUE(table.flush().empty());
}

TEST(fanout, flip_and_flip_back_inside_a_window_sends_nothing) {
  fanout table;
  subscribe(table, 1, {"alice"});
  table.publish("alice", presence_value::online, true);
  ASSERT_EQ(table.flush().size(), 1u);
  table.publish("alice", presence_value::away, true);
  table.publish("alice", presence_value::online, true);
  EXPECT_TRUE(table.has_pending());
  EXPECT_TRUE(table.flush().empty());
  table.publish("alice", presence_value::away, true);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].presence, presence_value::away);
}

TEST(fanout, latest_value_wins_and_pending_is_bounded_by_subjects) {
  fanout table;
  subscribe(table, 1, {"alice", "bob"});
  subscribe(table, 2, {"alice", "bob"});
  for (int i = 0; i < 10000; ++i) {
    table.publish("alice", i % 2 ? presence_value::online : presence_value::away, true);
    table.publish("bob", presence_value::busy, true);
  }
  EXPECT_EQ(table.pending_count(), 2u) << "one pending entry per subject, not per subscriber";
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[0].subscriber, 1u);
  EXPECT_EQ(batches[0].presence, presence_value::online);
  EXPECT_EQ(batches[0].users, users{"alice"});
  EXPECT_EQ(batches[1].presence, presence_value::busy);
  EXPECT_EQ(batches[2].subscriber, 2u);
  EXPECT_EQ(batches[3].subscriber, 2u);
}

TEST(fanout, each_subscriber_is_told_only_what_differs_from_what_it_was_told) {
  fanout table;
  subscribe(table, 1, {"alice"});
  subscribe(table, 2, {"alice"});
  table.publish("alice", presence_value::online, false);
  ASSERT_EQ(table.catch_up(1, "alice"), presence_value::online);  // its initial presence
  table.publish("alice", presence_value::online, true);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].subscriber, 2u);
}

TEST(fanout, catch_up_tells_a_joining_subscriber_the_latest_value_once) {
  fanout table;
  subscribe(table, 1, {"alice"});
  table.publish("alice", presence_value::away, true);
  subscribe(table, 2, {"alice"});
  EXPECT_EQ(table.catch_up(2, "alice"), presence_value::away) << "the pending change is the latest";
  EXPECT_FALSE(table.catch_up(2, "alice")) << "told already";
  EXPECT_FALSE(table.catch_up(2, "bob")) << "not a subject of 2";
  EXPECT_FALSE(table.catch_up(7, "alice")) << "not a subscriber";
  subscribe(table, 3, {"alice"});  // joins without a catch-up: the flush tells it
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].subscriber, 1u);
  EXPECT_EQ(batches[1].subscriber, 3u);
  EXPECT_EQ(batches[1].presence, presence_value::away);
}

TEST(fanout, drop_pending_keeps_what_was_told_and_resend_known_resends) {
  fanout table;
  subscribe(table, 1, {"alice", "bob"});
  table.publish("alice", presence_value::online, true);
  (void) table.flush();
  table.publish("alice", presence_value::away, true);
  table.drop_pending();
  EXPECT_FALSE(table.has_pending());
  table.publish("alice", presence_value::online, true);
  EXPECT_TRUE(table.flush().empty()) << "online was told already";
  // While the service is off, changes are known but not queued.
  table.publish("alice", presence_value::busy, false);
  EXPECT_FALSE(table.has_pending());
  ASSERT_TRUE(table.resend_known());
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].presence, presence_value::busy);
  EXPECT_EQ(batches[0].users, users{"alice"}) << "bob has no known presence";
}

TEST(fanout, disabled_is_sent_but_never_known) {
  fanout table;
  subscribe(table, 1, {"alice"});
  table.publish("alice", presence_value::online, true);
  table.publish("alice", presence_value::disabled, true);
  EXPECT_EQ(table.known("alice"), presence_value::online);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].presence, presence_value::disabled);
}

TEST(fanout, refresh_sets_the_latest_value_and_corrects_whoever_was_told_another) {
  fanout table;
  subscribe(table, 1, {"alice", "bob"});
  EXPECT_FALSE(table.refresh("alice", presence_value::online, true)) << "none known: no one told";
  EXPECT_EQ(table.known("alice"), presence_value::online);
  EXPECT_FALSE(table.has_pending());
  ASSERT_EQ(table.catch_up(1, "alice"), presence_value::online);
  EXPECT_FALSE(table.refresh("alice", presence_value::online, true)) << "unchanged";
  EXPECT_FALSE(table.refresh("alice", presence_value::disabled, true)) << "not a presence";
  EXPECT_FALSE(table.refresh("carol", presence_value::away, true)) << "nobody subscribes";
  EXPECT_FALSE(table.known("carol"));
  EXPECT_TRUE(table.refresh("alice", presence_value::busy, true));
  EXPECT_EQ(table.known("alice"), presence_value::busy);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].presence, presence_value::busy);
  EXPECT_EQ(batches[0].users, users{"alice"});
  EXPECT_FALSE(table.refresh("alice", presence_value::away, false)) << "not queued";
  EXPECT_EQ(table.known("alice"), presence_value::away);
  EXPECT_FALSE(table.has_pending());
}

TEST(fanout, unsubscribing_drops_pending_changes_and_forgets_the_subject) {
  fanout table;
  subscribe(table, 1, {"alice", "bob"});
  subscribe(table, 2, {"alice"});
  table.publish("alice", presence_value::online, true);
  table.publish("bob", presence_value::online, true);
  (void) table.replace(1, {"bob"});
  table.remove(2);
  EXPECT_FALSE(table.has_subscribers("alice"));
  EXPECT_FALSE(table.known("alice")) << "a subject nobody holds is forgotten";
  EXPECT_EQ(table.pending_count(), 1u);
  auto batches = table.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].users, users{"bob"});
}

TEST(fanout, replace_swaps_the_whole_list_and_keeps_what_was_told) {
  fanout table;
  ASSERT_TRUE(table.add(1, "owner"));
  EXPECT_FALSE(table.add(1, "other")) << "ids are unique";
  auto first = table.replace(1, {"b", "a", "a"});
  EXPECT_EQ(first.added, (users{"a", "b"}));
  EXPECT_TRUE(first.removed.empty());
  table.publish("b", presence_value::away, true);
  ASSERT_EQ(table.flush().size(), 1u);
  auto second = table.replace(1, {"b", "c"});
  EXPECT_EQ(second.added, users{"c"});
  EXPECT_EQ(second.removed, users{"a"});
  EXPECT_EQ(table.subjects_of(1), (users{"b", "c"}));
  EXPECT_FALSE(table.has_subscribers("a"));
  EXPECT_EQ(table.subscribers_of("b"), ids{1});
  table.publish("b", presence_value::away, true);
  EXPECT_TRUE(table.flush().empty()) << "b stayed subscribed and was told away already";
}

TEST(fanout, owners_and_removal) {
  fanout table;
  ASSERT_TRUE(table.add(1, "alice"));
  ASSERT_TRUE(table.add(2, "alice"));
  ASSERT_TRUE(table.add(3, ""));
  (void) table.replace(2, {"bob"});
  EXPECT_EQ(table.owned_by("alice"), (ids{1, 2}));
  EXPECT_TRUE(table.owned_by("").empty());
  table.remove(2);
  EXPECT_FALSE(table.has_subscribers("bob"));
  EXPECT_EQ(table.owned_by("alice"), ids{1});
  EXPECT_EQ(table.all(), (ids{1, 3}));
  table.remove(99);  // unknown: no-op
  EXPECT_EQ(table.size(), 2u);
}

TEST(fanout, slots_are_reused_after_removal) {
  fanout table;
  for (subscriber_id round = 0; round < 100; ++round) {
    subscribe(table, round, {"alice", "bob"});
    table.publish("alice", presence_value::online, true);
    auto batches = table.flush();
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].subscriber, round);
    table.remove(round);
  }
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(table.has_subscribers("alice"));
  subscribe(table, 1000, {"carol"});
  EXPECT_EQ(table.subscribers_of("carol"), ids{1000});
  EXPECT_TRUE(table.subscribers_of("alice").empty());
}

TEST(fanout, a_phase_flush_serves_only_its_subscribers_and_the_change_waits_for_the_others) {
  fanout table{3};
  ASSERT_EQ(table.phases(), 3u);
  for (subscriber_id id : {3, 4, 5, 6})  // phases 0, 1, 2, 0
    subscribe(table, id, {"alice"});
  table.publish("alice", presence_value::away, true);
  auto zero = table.flush(0);
  ASSERT_EQ(zero.size(), 2u);
  EXPECT_EQ(zero[0].subscriber, 3u);
  EXPECT_EQ(zero[1].subscriber, 6u);
  EXPECT_TRUE(table.has_pending()) << "phases 1 and 2 have not been flushed";
  EXPECT_TRUE(table.flush(0).empty()) << "phase 0 was told already";
  auto two = table.flush(2);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].subscriber, 5u);
  auto one = table.flush(1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].subscriber, 4u);
  EXPECT_EQ(one[0].presence, presence_value::away);
  EXPECT_FALSE(table.has_pending()) << "every phase flushed";
  EXPECT_TRUE(table.flush(7).empty()) << "no such phase";
}

TEST(fanout, a_publish_between_phase_flushes_reaches_every_phase_with_the_latest_value) {
  fanout table{2};
  subscribe(table, 2, {"alice"});  // phase 0
  subscribe(table, 3, {"alice"});  // phase 1
  table.publish("alice", presence_value::away, true);
  ASSERT_EQ(table.flush(0).size(), 1u);
  table.publish("alice", presence_value::online, true);  // flip back before phase 1's flush
  auto one = table.flush(1);
  ASSERT_EQ(one.size(), 1u) << "phase 1 was never told away; it is told online";
  EXPECT_EQ(one[0].presence, presence_value::online);
  auto zero = table.flush(0);
  ASSERT_EQ(zero.size(), 1u) << "phase 0 was told away: it is told online at its next flush";
  EXPECT_EQ(zero[0].presence, presence_value::online);
  EXPECT_FALSE(table.has_pending());
}

TEST(fanout, drop_and_resend_cover_every_phase_and_removal_keeps_other_changes_pending) {
  fanout table{2};
  subscribe(table, 2, {"alice", "bob", "carol"});  // phase 0
  subscribe(table, 3, {"alice"});                  // phase 1
  for (const auto* subject : {"alice", "bob", "carol"})
    table.publish(subject, presence_value::away, true);
  ASSERT_EQ(table.flush(0).size(), 1u);
  table.drop_pending();
  EXPECT_FALSE(table.has_pending());
  EXPECT_TRUE(table.flush(1).empty()) << "dropped before phase 1 was told";
  ASSERT_TRUE(table.resend_known());
  EXPECT_EQ(table.flush_phases(table.all_phases()).size(), 2u) << "both phases, told afresh";
  // Unlinking a pending subject from the middle of the pending list keeps the others listed.
  for (const auto* subject : {"alice", "bob", "carol"})
    table.publish(subject, presence_value::busy, true);
  (void) table.replace(2, {"alice", "carol"});  // bob had no other subscriber
  EXPECT_EQ(table.pending_count(), 2u);
  auto batches = table.flush_phases(1);  // phase 0 only
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].users, (users{"alice", "carol"}));
  EXPECT_EQ(table.flush_phases(~uint64_t{0}).size(), 1u) << "bits past phases() are ignored";
  EXPECT_FALSE(table.has_pending());
}

/// The phased table against a plain model, over random subscriptions, publishes and flushes.
TEST(fanout, phase_flushes_match_a_plain_model_under_churn) {
  constexpr uint32_t phases = 4;
  const users names{"a", "b", "c", "d", "e", "f"};
  fanout table{phases};
  std::map<subscriber_id, std::map<std::string, int>> told;  // -1 = untold
  std::map<std::string, std::pair<presence_value, std::set<uint32_t>>> pending;
  std::mt19937 random{7};
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  for (int step = 0; step < 5000; ++step) {
    const auto op = pick(10);
    if (op < 3) {  // (re)subscribe a subscriber to a random subset
      const subscriber_id id = pick(24);
      users subjects;
      for (const auto& n : names)
        if (pick(2) == 0)
          subjects.push_back(n);
      (void) table.add(id, "");
      (void) table.replace(id, subjects);
      auto& mine = told[id];
      std::map<std::string, int> next;
      for (const auto& n : subjects)
        next[n] = mine.count(n) ? mine[n] : -1;
      mine = next;
    } else if (op == 3) {
      const subscriber_id id = pick(24);
      table.remove(id);
      told.erase(id);
    } else if (op < 7) {
      const auto& subject = names[pick(names.size())];
      const auto value = static_cast<presence_value>(pick(4));
      const bool held = std::any_of(told.begin(), told.end(),
                                    [&](const auto& kv) { return kv.second.count(subject) != 0; });
      ASSERT_EQ(table.publish(subject, value, true), held);
      if (held)
        pending[subject] = {value, {0, 1, 2, 3}};
    } else {
      const auto phase = static_cast<uint32_t>(pick(phases));
      std::map<std::pair<subscriber_id, presence_value>, users> expected;
      for (auto& [subject, wait] : pending) {
        if (wait.second.erase(phase) == 0)
          continue;
        for (auto& [id, mine] : told)
          if (id % phases == phase && mine.count(subject) && mine[subject] != int(wait.first)) {
            mine[subject] = int(wait.first);
            expected[{id, wait.first}].push_back(subject);
          }
      }
      for (auto i = pending.begin(); i != pending.end();)
        i = i->second.second.empty() ? pending.erase(i) : std::next(i);
      std::map<std::pair<subscriber_id, presence_value>, users> got;
      for (auto& batch : table.flush(phase))
        got[{batch.subscriber, batch.presence}] = batch.users;
      ASSERT_EQ(got, expected) << "step " << step;
    }
    // A subject nobody holds any more is forgotten, with its pending change.
    for (auto i = pending.begin(); i != pending.end();) {
      const bool held = std::any_of(told.begin(), told.end(),
                                    [&](const auto& kv) { return kv.second.count(i->first) != 0; });
      i = held ? std::next(i) : pending.erase(i);
    }
    ASSERT_EQ(table.pending_count(), pending.size()) << "step " << step;
  }
}

TEST(group_by_presence, orders_by_presence_value) {
  auto batches = group_by_presence(
    3, {{"x", presence_value::disabled}, {"b", presence_value::online}, {"a", presence_value::online}});
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].presence, presence_value::online);
  EXPECT_EQ(batches[0].users, (users{"a", "b"}));
  EXPECT_EQ(batches[1].presence, presence_value::disabled);
  EXPECT_TRUE(group_by_presence(3, {}).empty());
}

} // namespace
} // namespace presence::actors
