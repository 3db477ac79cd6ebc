// Rebuilding state from the log: snapshot + tail equals a full replay, state at an instant,
// damaged snapshots ignored, damaged records reported.
#include "presence/storage/recovery.hpp"

#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "presence/events/codec.hpp"
#include "random_events.hpp"

namespace presence::storage {
namespace {

using events::event;
using events::user_state;
using test::make_event;

user_state fresh(const std::string& id) {
  user_state state;
  state.id = id;
  return state;
}

class recovery_test : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    log_.reset();
    auto opened = test::open_log(dir_.sub("db"));
    ASSERT_OK(opened);
    log_ = std::move(*opened);
  }

  /// Appends `batch` and folds it into `live`, as a live user actor would.
  void append_and_fold(std::vector<event>& batch, std::map<std::string, user_state>& live) {
    ASSERT_OK(log_->append(batch));
    for (const auto& ev : batch)
      events::apply(live.at(ev.stream), ev);
  }

  test::temp_dir dir_;
  std::unique_ptr<event_log> log_;
};

TEST_F(recovery_test, snapshot_plus_tail_equals_full_replay) {
  test::random_user_events gen{42};
  std::map<std::string, user_state> live;
  for (int u = 0; u < 50; ++u) {
    auto id = "user" + std::to_string(u);
    live.emplace(id, fresh(id));
  }
  std::map<std::string, sequence> snapshot_at;
  events::timestamp_us ts = 1'700'000'000'000'000;
  for (int round = 0; round < 60; ++round) {
    std::vector<event> batch;
    for (int i = 0; i < 100; ++i) {
      const auto& state = live.at("user" + std::to_string(gen.pick(50)));
      batch.push_back(gen.next(state, ts += 1'000'000, 1));
    }
    append_and_fold(batch, live);
    // Snapshot a few users at random points, as the live actors would.
    for (int k = 0; k < 3; ++k) {
      const auto& state = live.at("user" + std::to_string(gen.pick(50)));
      ASSERT_OK(save_user_snapshot(*log_, state));
      snapshot_at[state.id] = state.last_seq;
    }
  }
  reopen();
  std::size_t with_tail = 0;
  for (const auto& [id, expected] : live) {
    auto replayed = replay_user(*log_, id);
    ASSERT_OK(replayed);
    EXPECT_EQ(*replayed, expected) << id;
    auto recovered = recover_user(*log_, id);
    ASSERT_OK(recovered);
    EXPECT_EQ(*recovered, expected) << id;
    auto it = snapshot_at.find(id);
    if (it != snapshot_at.end() && it->second < expected.last_seq)
      ++with_tail;
  }
  // The run must really have exercised snapshot + a non-empty tail.
  EXPECT_GT(snapshot_at.size(), 20u);
  EXPECT_GT(with_tail, 10u);
}

TEST_F(recovery_test, replay_until_gives_the_state_at_that_instant) {
  test::random_user_events gen{7};
  std::map<std::string, user_state> live{{"alice", fresh("alice")}, {"bob", fresh("bob")}};
  std::vector<std::pair<events::timestamp_us, user_state>> history; // alice after each event
  for (int i = 1; i <= 200; ++i) {
    std::vector<event> batch{gen.next(live.at(i % 3 == 0 ? "bob" : "alice"), i * 1000, 1)};
    append_and_fold(batch, live);
    if (batch[0].stream == "alice")
      history.emplace_back(batch[0].ts, live.at("alice"));
  }
  ASSERT_FALSE(history.empty());
  for (std::size_t k = 0; k < history.size(); k += 7) {
    const auto& [at, expected] = history[k];
    auto exact = replay_user(*log_, "alice", at);
    ASSERT_OK(exact);
    EXPECT_EQ(*exact, expected) << "until " << at;
    auto between = replay_user(*log_, "alice", at + 1); // no alice event in (at, at+1]
    ASSERT_OK(between);
    EXPECT_EQ(*between, expected);
  }
  auto before_all = replay_user(*log_, "alice", 0);
  ASSERT_OK(before_all);
  EXPECT_EQ(*before_all, fresh("alice"));
}

TEST_F(recovery_test, a_damaged_snapshot_is_ignored_in_favour_of_a_full_replay) {
  std::map<std::string, user_state> live{{"alice", fresh("alice")}};
  std::vector<event> batch{make_event("alice", 10, events::connected{"c1", "web", 1}),
                           make_event("alice", 20, events::status_set{"busy day", "", 0})};
  append_and_fold(batch, live);
  // Undecodable bytes.
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{2, "not a snapshot"}));
  auto recovered = recover_user(*log_, "alice");
  ASSERT_OK(recovered);
  EXPECT_EQ(*recovered, live.at("alice"));
  // A decodable snapshot that disagrees with the sequence it claims to cover.
  auto early = fresh("alice");
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{2, events::encode_snapshot(early)}));
  recovered = recover_user(*log_, "alice");
  ASSERT_OK(recovered);
  EXPECT_EQ(*recovered, live.at("alice"));
  // Another user's snapshot stored under alice.
  auto other = fresh("bob");
  other.last_seq = 2;
  ASSERT_OK(log_->put_snapshot("alice", snapshot_record{2, events::encode_snapshot(other)}));
  recovered = recover_user(*log_, "alice");
  ASSERT_OK(recovered);
  EXPECT_EQ(*recovered, live.at("alice"));
  // A value too short to hold its sequence, written behind the log's back.
  log_.reset();
  ASSERT_EQ(test::write_raw(dir_.sub("db"), "snapshots", "alice", "abc"), "");
  reopen();
  ASSERT_ERRC(log_->get_snapshot("alice"), errc::corrupt_record);
  recovered = recover_user(*log_, "alice");
  ASSERT_OK(recovered);
  EXPECT_EQ(*recovered, live.at("alice"));
}

TEST_F(recovery_test, recover_user_uses_a_valid_snapshot_and_the_tail) {
  std::map<std::string, user_state> live{{"alice", fresh("alice")}};
  std::vector<event> first{make_event("alice", 10, events::connected{"c1", "web", 1})};
  append_and_fold(first, live);
  ASSERT_OK(save_user_snapshot(*log_, live.at("alice")));
  auto snap = log_->get_snapshot("alice");
  ASSERT_OK(snap);
  ASSERT_TRUE(snap->has_value());
  EXPECT_EQ((*snap)->seq, 1u);
  std::vector<event> tail{
    make_event("alice", 20, events::presence_set{events::manual_mode::busy, 0}),
    make_event("alice", 30, events::disconnected{"c1"})};
  append_and_fold(tail, live);
  auto recovered = recover_user(*log_, "alice");
  ASSERT_OK(recovered);
  EXPECT_EQ(*recovered, live.at("alice"));
  EXPECT_EQ(recovered->last_seq, 3u);
  EXPECT_EQ(recovered->manual, events::manual_mode::busy);
}

TEST_F(recovery_test, a_corrupt_stream_record_fails_recovery_with_its_key) {
  std::vector<event> batch{make_event("alice", 10, events::connected{"c1", "web", 1})};
  ASSERT_OK(log_->append(batch));
  log_.reset();
  const std::string alice_1 = std::string("alice\0", 6) + test::be64(1);
  ASSERT_EQ(test::write_raw(dir_.sub("db"), "streams", alice_1, "\x01"), "");
  reopen();
  auto replayed = replay_user(*log_, "alice");
  ASSERT_ERRC(replayed, errc::corrupt_record);
  EXPECT_NE(replayed.error().message.find("616c696365000000000000000001"), std::string::npos)
    << replayed.error().message;
  ASSERT_ERRC(recover_user(*log_, "alice"), errc::corrupt_record);
}

TEST_F(recovery_test, replay_workspace_folds_the_workspace_stream) {
  const std::string ws{events::workspace_stream};
  std::vector<event> batch{make_event(ws, 10, events::user_created{"alice", "Alice", false}),
                           make_event(ws, 20, events::setting_changed{"idle_timeout", "300"}),
                           make_event("alice", 25, events::activity{})};
  ASSERT_OK(log_->append(batch));
  auto epoch = log_->start_epoch(30);
  ASSERT_OK(epoch);
  std::vector<event> later{make_event(ws, 40, events::user_created{"bob", "Bob", true})};
  ASSERT_OK(log_->append(later));
  auto state = replay_workspace(*log_);
  ASSERT_OK(state);
  EXPECT_EQ(state->users.count("alice"), 1u);
  EXPECT_EQ(state->users.count("bob"), 1u);
  EXPECT_EQ(state->settings.idle_timeout, 300);
  EXPECT_EQ(state->epoch, *epoch);
  EXPECT_EQ(state->last_seq, 5u);
  auto earlier = replay_workspace(*log_, 25);
  ASSERT_OK(earlier);
  EXPECT_EQ(earlier->users.count("bob"), 0u);
  EXPECT_EQ(earlier->epoch, 0u);
  EXPECT_EQ(earlier->last_seq, 2u);
}

TEST_F(recovery_test, user_flags_agree_with_the_workspace_fold_part_by_part) {
  // Random creations (some repeated, which must not reactivate), deactivations (some of unknown
  // users) and other workspace and user events; the flags must equal the full fold's.
  const std::string ws{events::workspace_stream};
  std::mt19937 rng{7};
  std::vector<event> batch;
  for (int i = 0; i < 2000; ++i) {
    auto id = "u" + std::to_string(rng() % 300);
    auto ts = static_cast<events::timestamp_us>(i + 1);
    switch (rng() % 4) {
      case 0:
      case 1: batch.push_back(make_event(ws, ts, events::user_created{id, "N" + id, false})); break;
      case 2: batch.push_back(make_event(ws, ts, events::user_deactivated{id})); break;
      default: batch.push_back(make_event(id, ts, events::activity{})); break;
    }
  }
  batch.push_back(make_event(ws, 3000, events::setting_changed{"idle_timeout", "300"}));
  ASSERT_OK(log_->append(batch));
  const std::size_t parts = 3;
  auto part_of = [](std::string_view id) { return id.size() % parts; };
  auto flags = replay_user_flags(*log_, parts, part_of);
  ASSERT_OK(flags);
  auto workspace = replay_workspace(*log_);
  ASSERT_OK(workspace);
  ASSERT_EQ(flags->size(), parts);
  std::size_t total = 0;
  std::size_t inactive = 0;
  for (std::size_t part = 0; part < parts; ++part) {
    for (const auto& [id, active] : (*flags)[part]) {
      EXPECT_EQ(part_of(id), part) << id;
      ASSERT_EQ(workspace->users.count(id), 1u) << id;
      EXPECT_EQ(active, workspace->users.at(id).active) << id;
      inactive += active ? 0 : 1;
    }
    total += (*flags)[part].size();
  }
  EXPECT_EQ(total, workspace->users.size());
  EXPECT_GT(inactive, 0u) << "the sequence deactivated someone";
  EXPECT_LT(inactive, total) << "and left someone active";
}

TEST_F(recovery_test, user_flags_refuse_no_parts_and_an_id_put_out_of_range) {
  const std::string ws{events::workspace_stream};
  std::vector<event> batch{make_event(ws, 10, events::user_created{"alice", "Alice", false})};
  ASSERT_OK(log_->append(batch));
  ASSERT_ERRC(replay_user_flags(*log_, 0, [](std::string_view) { return std::size_t{0}; }),
              errc::invalid_argument);
  auto misplaced = replay_user_flags(*log_, 2, [](std::string_view) { return std::size_t{2}; });
  ASSERT_ERRC(misplaced, errc::invalid_argument);
  EXPECT_NE(misplaced.error().message.find("alice"), std::string::npos)
    << misplaced.error().message;
}

TEST_F(recovery_test, saving_a_snapshot_needs_a_user_id) {
  ASSERT_ERRC(save_user_snapshot(*log_, user_state{}), errc::invalid_argument);
}

} // namespace
} // namespace presence::storage
