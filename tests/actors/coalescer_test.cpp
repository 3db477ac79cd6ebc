#include "coalescer.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "subscription_table.hpp"

namespace presence::actors {
namespace {

using events::presence_value;
using users = std::vector<std::string>;

TEST(coalescer, one_batch_per_presence_value_with_sorted_users) {
  coalescer buffer;
  buffer.record(7, "carol", presence_value::away);
  buffer.record(7, "alice", presence_value::away);
  buffer.record(7, "bob", presence_value::away);
  buffer.record(7, "dave", presence_value::online);
  auto batches = buffer.flush();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].subscriber, 7u);
  EXPECT_EQ(batches[0].presence, presence_value::online);
  EXPECT_EQ(batches[0].users, users{"dave"});
  EXPECT_EQ(batches[1].presence, presence_value::away);
  EXPECT_EQ(batches[1].users, (users{"alice", "bob", "carol"}));
  EXPECT_FALSE(buffer.has_pending());
  EXPECT_TRUE(buffer.flush().empty());
}

TEST(coalescer, flip_and_flip_back_inside_a_window_sends_nothing) {
  coalescer buffer;
  buffer.record(1, "alice", presence_value::online);
  ASSERT_EQ(buffer.flush().size(), 1u);
  buffer.record(1, "alice", presence_value::away);
  buffer.record(1, "alice", presence_value::online);
  EXPECT_TRUE(buffer.has_pending());
  EXPECT_TRUE(buffer.flush().empty());
  buffer.record(1, "alice", presence_value::away);
  auto batches = buffer.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].presence, presence_value::away);
}

TEST(coalescer, latest_value_wins_and_pending_is_bounded_by_subjects) {
  coalescer buffer;
  for (int i = 0; i < 10000; ++i) {
    buffer.record(1, "alice", i % 2 ? presence_value::online : presence_value::away);
    buffer.record(1, "bob", presence_value::busy);
  }
  EXPECT_EQ(buffer.pending_count(), 2u);
  auto batches = buffer.flush();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].presence, presence_value::online);
  EXPECT_EQ(batches[0].users, users{"alice"});
  EXPECT_EQ(batches[1].presence, presence_value::busy);
}

TEST(coalescer, subscribers_are_coalesced_separately) {
  coalescer buffer;
  buffer.mark_sent(1, "alice", presence_value::online);
  buffer.record(1, "alice", presence_value::online);  // no change for 1
  buffer.record(2, "alice", presence_value::online);  // new to 2
  auto batches = buffer.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].subscriber, 2u);
}

TEST(coalescer, drop_pending_keeps_sent_and_forget_sent_resends) {
  coalescer buffer;
  buffer.record(1, "alice", presence_value::online);
  (void) buffer.flush();
  buffer.record(1, "alice", presence_value::away);
  buffer.drop_pending();
  EXPECT_FALSE(buffer.has_pending());
  buffer.record(1, "alice", presence_value::online);
  EXPECT_TRUE(buffer.flush().empty()) << "online was sent already";
  buffer.forget_sent();
  buffer.record(1, "alice", presence_value::online);
  EXPECT_EQ(buffer.flush().size(), 1u);
}

TEST(coalescer, forget_and_remove_drop_a_subscribers_entries) {
  coalescer buffer;
  buffer.record(1, "alice", presence_value::online);
  buffer.record(1, "bob", presence_value::online);
  buffer.record(2, "alice", presence_value::away);
  buffer.forget(1, "alice");
  buffer.remove(2);
  auto batches = buffer.flush();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].users, users{"bob"});
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

TEST(subscription_table, replace_swaps_the_whole_list) {
  subscription_table table;
  ASSERT_TRUE(table.add(1, "owner"));
  EXPECT_FALSE(table.add(1, "other")) << "ids are unique";
  auto first = table.replace(1, {"b", "a", "a"});
  EXPECT_EQ(first.added, (users{"a", "b"}));
  EXPECT_TRUE(first.removed.empty());
  auto second = table.replace(1, {"b", "c"});
  EXPECT_EQ(second.added, users{"c"});
  EXPECT_EQ(second.removed, users{"a"});
  EXPECT_EQ(table.subjects_of(1), (users{"b", "c"}));
  EXPECT_FALSE(table.has_subscribers("a"));
  EXPECT_EQ(table.subscribers_of("b"), std::vector<subscriber_id>{1});
}

TEST(subscription_table, owners_and_removal) {
  subscription_table table;
  ASSERT_TRUE(table.add(1, "alice"));
  ASSERT_TRUE(table.add(2, "alice"));
  ASSERT_TRUE(table.add(3, ""));
  (void) table.replace(2, {"bob"});
  EXPECT_EQ(table.owned_by("alice"), (std::vector<subscriber_id>{1, 2}));
  EXPECT_TRUE(table.owned_by("").empty());
  EXPECT_EQ(table.remove(2), users{"bob"});
  EXPECT_FALSE(table.has_subscribers("bob"));
  EXPECT_EQ(table.owned_by("alice"), std::vector<subscriber_id>{1});
  EXPECT_EQ(table.all(), (std::vector<subscriber_id>{1, 3}));
  EXPECT_TRUE(table.remove(99).empty());
  EXPECT_EQ(table.size(), 2u);
}

} // namespace
} // namespace presence::actors
