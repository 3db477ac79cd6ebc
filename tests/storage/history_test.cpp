// States at past instants from checkpoints plus a short tail: equal to full replays, whatever
// checkpoints exist, and a damaged checkpoint costs only a longer fold.
#include "presence/storage/history.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "presence/events/presence_timeline.hpp"
#include "presence/storage/recovery.hpp"
#include "random_events.hpp"

namespace presence::storage {
namespace {

using events::event;
using events::user_state;
using test::make_event;

constexpr events::timestamp_us t0 = 1'700'000'000'000'000;

class history_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::open_log(dir_.sub("db"));
    ASSERT_OK(opened);
    log_ = std::move(*opened);
  }
  test::temp_dir dir_;
  std::unique_ptr<event_log> log_;
};

TEST_F(history_test, a_past_state_from_checkpoints_equals_a_full_replay_at_every_instant) {
  test::random_user_events gen{11};
  std::map<std::string, user_state> live;
  for (const char* id : {"alice", "alice2", "alic"}) {  // ids sharing a prefix
    live[id].id = id;
  }
  std::vector<events::timestamp_us> instants;
  events::timestamp_us ts = t0;
  for (int round = 0; round < 40; ++round) {
    std::vector<event> batch;
    for (int i = 0; i < 50; ++i) {
      const char* id = i % 5 == 0 ? "alice2" : (i % 7 == 0 ? "alic" : "alice");
      batch.push_back(gen.next(live.at(id), ts += 1'000'000, 1));
    }
    // A setting change now and then, for the workspace side.
    if (round % 9 == 0)
      batch.push_back(make_event(std::string{events::workspace_stream}, ts += 1,
                                 events::setting_changed{"idle_timeout",
                                                         std::to_string(60 + round)}));
    ASSERT_OK(log_->append(batch));
    for (const auto& ev : batch)
      if (ev.stream != events::workspace_stream)
        events::apply(live.at(ev.stream), ev);
    if (round % 4 == 1) {
      ASSERT_OK(save_user_checkpoint(*log_, live.at("alice")));
      ASSERT_OK(save_user_checkpoint(*log_, live.at("alice2")));
    }
    if (round % 10 == 3) {
      auto past = context_at(*log_, ts);
      ASSERT_OK(past);
      ASSERT_OK(save_context_checkpoint(*log_, past->context, past->seq));
    }
    instants.push_back(ts - 500'000);  // between two events
    instants.push_back(ts);            // exactly at one
  }
  uint64_t longest_fold = 0;
  for (auto at : instants) {
    for (const char* id : {"alice", "alice2", "alic"}) {
      auto expected = replay_user(*log_, id, at);
      ASSERT_OK(expected);
      auto past = user_state_at(*log_, id, at);
      ASSERT_OK(past);
      EXPECT_EQ(past->state, *expected) << id << " at " << at;
      if (std::string{id} == "alice")
        longest_fold = std::max(longest_fold, past->folded);
    }
    auto workspace = replay_workspace(*log_, at);
    ASSERT_OK(workspace);
    auto context = context_at(*log_, at);
    ASSERT_OK(context);
    EXPECT_EQ(context->context.default_idle_timeout, workspace->settings.idle_timeout) << at;
    EXPECT_EQ(context->context.service_enabled, workspace->service_enabled);
  }
  // alice has ~30 events per round and a checkpoint every 4 rounds: no fold goes far back.
  EXPECT_LT(longest_fold, 4u * 40u) << "reads start from a checkpoint, not the stream's start";
  auto alic = user_state_at(*log_, "alic", ts);
  ASSERT_OK(alic);
  EXPECT_EQ(alic->folded, alic->state.event_count) << "no checkpoint: the whole stream";
}

TEST_F(history_test, a_span_from_its_base_gives_the_timeline_of_the_whole_log) {
  test::random_user_events gen{5};
  user_state alice;
  alice.id = "alice";
  std::vector<event> everything;  // alice's and the workspace's events, in order
  events::timestamp_us ts = t0;
  for (int round = 0; round < 30; ++round) {
    std::vector<event> batch;
    for (int i = 0; i < 20; ++i)
      batch.push_back(gen.next(alice, ts += 7'000'000, 1));
    batch.push_back(make_event(std::string{events::workspace_stream}, ts += 1,
                               round % 2 == 0 ? events::payload{events::service_disabled{"admin", 0}}
                                              : events::payload{events::service_enabled{}}));
    ASSERT_OK(log_->append(batch));
    for (const auto& ev : batch) {
      if (ev.stream == "alice")
        events::apply(alice, ev);
      everything.push_back(ev);
    }
    if (round % 6 == 2)
      ASSERT_OK(save_user_checkpoint(*log_, alice));
  }
  const events::timestamp_us since = t0 + 2500 * 1'000'000LL;
  const events::timestamp_us until = t0 + 3000 * 1'000'000LL;
  auto span = history_between(*log_, "alice", since, until);
  ASSERT_OK(span);
  for (const auto& ev : span->events)
    EXPECT_TRUE(ev.ts >= since && ev.ts < until) << ev.seq;
  std::vector<event> before_until;
  for (const auto& ev : everything)
    if (ev.ts < until)
      before_until.push_back(ev);
  auto whole = events::presence_timeline("alice", before_until, since, until);
  auto from_base = events::presence_timeline(span->base, span->events, since, until);
  ASSERT_EQ(from_base.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(from_base[i].from, whole[i].from) << i;
    EXPECT_EQ(from_base[i].to, whole[i].to) << i;
    EXPECT_EQ(from_base[i].presence, whole[i].presence) << i;
  }
  EXPECT_GT(whole.size(), 2u) << "the span saw changes";
  EXPECT_LT(span->events.size(), before_until.size() / 2) << "only the span's events are read";
}

TEST_F(history_test, a_checkpoint_after_the_instant_is_not_used) {
  std::vector<event> batch{make_event("alice", t0, events::connected{"c1", "web", 1})};
  ASSERT_OK(log_->append(batch));
  user_state connected;
  connected.id = "alice";
  events::apply(connected, batch[0]);
  std::vector<event> later{make_event("alice", t0 + 10'000'000, events::disconnected{"c1", {}})};
  ASSERT_OK(log_->append(later));
  user_state after = connected;
  events::apply(after, later[0]);
  ASSERT_OK(save_user_checkpoint(*log_, after));

  auto between = user_state_at(*log_, "alice", t0 + 5'000'000);
  ASSERT_OK(between);
  EXPECT_EQ(between->state, connected);
  auto end = user_state_at(*log_, "alice", t0 + 10'000'000);
  ASSERT_OK(end);
  EXPECT_EQ(end->state, after);
  EXPECT_EQ(end->folded, 0u) << "the checkpoint covers everything";
  auto before = user_state_at(*log_, "alice", t0 - 1);
  ASSERT_OK(before);
  EXPECT_EQ(before->state.event_count, 0u);
}

TEST_F(history_test, a_damaged_checkpoint_costs_a_longer_fold_not_a_wrong_answer) {
  std::vector<event> batch{make_event("alice", t0, events::connected{"c1", "web", 1}),
                           make_event("alice", t0 + 1, events::activity{"c1"})};
  ASSERT_OK(log_->append(batch));
  ASSERT_OK(log_->put_checkpoint("alice", snapshot_record{2, "not a snapshot"}));
  auto expected = replay_user(*log_, "alice", t0 + 1);
  ASSERT_OK(expected);
  auto past = user_state_at(*log_, "alice", t0 + 1);
  ASSERT_OK(past);
  EXPECT_EQ(past->state, *expected);
  EXPECT_EQ(past->folded, 2u);
}

TEST_F(history_test, checkpoints_are_kept_beside_the_snapshot_and_found_by_sequence) {
  test::append_events(*log_, 5);
  ASSERT_OK(log_->put_checkpoint("alice", snapshot_record{2, "two"}));
  ASSERT_OK(log_->put_checkpoint("alice", snapshot_record{4, "four"}));
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{5, "five"}));
  ASSERT_OK(log_->put_checkpoint("alice2", snapshot_record{3, "other"}));
  auto found = log_->find_checkpoint("alice", 3);
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->bytes, "two");
  found = log_->find_checkpoint("alice", 100);
  ASSERT_OK(found);
  EXPECT_EQ((*found)->bytes, "four");
  found = log_->find_checkpoint("alice", 1);
  ASSERT_OK(found);
  EXPECT_FALSE(found->has_value()) << "neither the snapshot nor another stream's checkpoint";
  auto snap = log_->get_snapshot("alice");
  ASSERT_OK(snap);
  EXPECT_EQ((*snap)->bytes, "five");
}

TEST_F(history_test, first_sequence_at_searches_the_log_by_time) {
  std::vector<event> batch;
  for (int i = 1; i <= 10; ++i)
    batch.push_back(make_event("alice", i * 100, events::activity{"c1"}));
  ASSERT_OK(log_->append(batch));
  auto seq_at = [&](events::timestamp_us ts) {
    auto found = log_->first_sequence_at(ts);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : 0;
  };
  EXPECT_EQ(seq_at(0), 1u);
  EXPECT_EQ(seq_at(100), 1u);
  EXPECT_EQ(seq_at(101), 2u);
  EXPECT_EQ(seq_at(1000), 10u);
  EXPECT_EQ(seq_at(1001), 11u) << "none: one past the last";
}

} // namespace
} // namespace presence::storage
