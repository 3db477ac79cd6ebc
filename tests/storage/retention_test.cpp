// Retention: user events before the horizon are folded into one base checkpoint per stream and
// deleted, the workspace stream stays whole, and every state from the horizon on is unchanged.
#include "presence/storage/retention.hpp"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "presence/storage/history.hpp"
#include "presence/storage/recovery.hpp"
#include "random_events.hpp"

namespace presence::storage {
namespace {

using events::event;
using events::user_state;

constexpr events::timestamp_us t0 = 1'700'000'000'000'000;
constexpr events::timestamp_us second = 1'000'000;

class retention_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = test::open_log(dir_.sub("db"));
    ASSERT_OK(opened);
    log_ = std::move(*opened);
    for (const char* id : {"alice", "bob", "carol"})
      live_[id].id = id;
  }

  /// One event a second from `from` for `count` seconds, users in turn, a setting change every
  /// 50; `at[ts]` keeps each user's state after every second.
  void write(events::timestamp_us from, int count) {
    for (int i = 0; i < count; ++i) {
      const events::timestamp_us ts = from + i * second;
      std::vector<event> batch;
      const char* id = i % 3 == 0 ? "alice" : (i % 3 == 1 ? "bob" : "carol");
      if (i % 50 == 25)
        batch.push_back(test::make_event(std::string{events::workspace_stream}, ts,
                                         events::setting_changed{"idle_timeout", "90"}));
      else
        batch.push_back(gen_.next(live_.at(id), ts, 1));
      ASSERT_OK(log_->append(batch));
      if (batch[0].stream != events::workspace_stream)
        events::apply(live_.at(id), batch[0]);
      at_[ts] = live_;
    }
  }

  test::temp_dir dir_;
  std::unique_ptr<event_log> log_;
  test::random_user_events gen_{3};
  std::map<std::string, user_state> live_;
  std::map<events::timestamp_us, std::map<std::string, user_state>> at_;
};

TEST_F(retention_test, old_events_are_folded_and_deleted_and_every_later_state_is_unchanged) {
  write(t0, 300);
  const events::timestamp_us horizon = t0 + 200 * second;
  auto pass = apply_retention(*log_, horizon);
  ASSERT_OK(pass);
  EXPECT_EQ(pass->streams_trimmed, 3u);
  const auto mark = log_->retained();
  EXPECT_EQ(mark.from, 201u) << "the first event at the horizon";
  EXPECT_EQ(mark.since, horizon);

  // Deleted: no user event below the mark, in the streams or the log; the workspace is whole.
  uint64_t workspace_events = 0;
  ASSERT_OK(log_->read_range(1, log_->last_sequence(), [&](const event& ev) {
    if (ev.seq < mark.from) {
      EXPECT_EQ(ev.stream, events::workspace_stream) << ev.seq;
    }
    return true;
  }));
  ASSERT_OK(log_->read_stream(events::workspace_stream, 0, [&](const event&) {
    ++workspace_events;
    return true;
  }));
  EXPECT_EQ(workspace_events, 6u);
  for (const auto& [id, state] : live_) {
    ASSERT_OK(log_->read_stream(id, 0, [&, id = id](const event& ev) {
      EXPECT_GE(ev.seq, mark.from) << id;
      return true;
    }));
    // Kept: the base, and the same state as before, by every path.
    auto base = log_->find_checkpoint(id, mark.from - 1);
    ASSERT_OK(base);
    EXPECT_TRUE(base->has_value()) << id;
    auto recovered = recover_user(*log_, id);
    ASSERT_OK(recovered);
    EXPECT_EQ(*recovered, state) << id;
    auto replayed = replay_user(*log_, id);
    ASSERT_OK(replayed);
    EXPECT_EQ(*replayed, state) << id;
  }
  for (events::timestamp_us ts = horizon; ts < t0 + 300 * second; ts += 17 * second) {
    for (const auto& [id, expected] : at_.at(ts)) {
      auto past = user_state_at(*log_, id, ts);
      ASSERT_OK(past);
      EXPECT_EQ(past->state, expected) << id << " at +" << (ts - t0) / second << " s";
    }
  }
  // Before the horizon: refused, never answered from a state that did not exist then.
  auto before = user_state_at(*log_, "alice", horizon - 1);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code, errc::before_retention);
  EXPECT_NE(before.error().message.find("outside the retained history"), std::string::npos);
  auto inspect_before = replay_user(*log_, "alice", horizon - 5 * second);
  ASSERT_FALSE(inspect_before.ok());
  EXPECT_EQ(inspect_before.error().code, errc::before_retention);
}

TEST_F(retention_test, passes_repeat_and_move_forward_and_survive_a_reopen) {
  write(t0, 150);
  ASSERT_OK(apply_retention(*log_, t0 + 60 * second));
  auto again = apply_retention(*log_, t0 + 60 * second);
  ASSERT_OK(again);
  EXPECT_EQ(again->streams_trimmed, 0u) << "nothing older than the horizon is left";
  write(t0 + 150 * second, 150);
  auto later = apply_retention(*log_, t0 + 250 * second);
  ASSERT_OK(later);
  EXPECT_EQ(later->streams_trimmed, 3u);
  const auto mark = log_->retained();
  log_.reset();
  auto reopened = test::open_log(dir_.sub("db"));
  ASSERT_OK(reopened);
  log_ = std::move(*reopened);
  EXPECT_EQ(log_->retained().from, mark.from);
  EXPECT_EQ(log_->retained().since, mark.since);
  for (const auto& [id, state] : live_) {
    auto recovered = recover_user(*log_, id);
    ASSERT_OK(recovered);
    EXPECT_EQ(*recovered, state) << id;
  }
  auto stream_events = 0;
  ASSERT_OK(log_->read_stream("alice", 0, [&](const event&) {
    ++stream_events;
    return true;
  }));
  EXPECT_LE(stream_events, 20) << "about 50 s of alice's events (one in three seconds) are left";
}

TEST_F(retention_test, a_horizon_before_every_event_keeps_everything) {
  write(t0, 30);
  auto pass = apply_retention(*log_, t0 - second);
  ASSERT_OK(pass);
  EXPECT_FALSE(pass->mark.trimmed());
  EXPECT_EQ(log_->retained().from, 1u);
}

} // namespace
} // namespace presence::storage
