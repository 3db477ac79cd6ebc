// user_change in a broadcaster shard (broadcaster_profiles.cpp): every subscriber, whatever its
// subjects, learns changed profiles once per flush, each user once with its latest profile.
#include "broadcaster.hpp"

#include <string>

#include <gtest/gtest.h>

#include "broadcaster_test_support.hpp"

namespace presence::actors {
namespace {

events::user_record person(const std::string& id) {
  events::user_record user;
  user.id = id;
  user.name = id + " name";
  return user;
}

events::custom_status status(const std::string& text) {
  return events::custom_status{text, text.empty() ? "" : ":speech_balloon:", 0};
}

/// The profiles of the `user_change` notes among `notes`, in order.
std::vector<user_profile> profiles_in(const std::vector<notification>& notes) {
  std::vector<user_profile> out;
  for (const auto& note : notes)
    if (note.type == kind::user_change && note.profiles)
      out.insert(out.end(), note.profiles->begin(), note.profiles->end());
  return out;
}

TEST_F(broadcaster_test, a_profile_change_reaches_every_subscriber_whatever_its_subjects) {
  auto shard = spawn_shard();
  auto [watching, watching_seen] = make_sink();
  auto [idle, idle_seen] = make_sink();
  subscribe(shard, 1, watching, "", {"alice"}, {{"alice", presence_value::online}});
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{2}, idle, std::string{"bob"}));
  watching_seen->clear();

  tell(shard, profile_atom::value, person("carol"), status("lunch"));
  pass(99);
  EXPECT_TRUE(profiles_in(*idle_seen).empty()) << "nothing before the flush";
  pass(1);
  for (const auto* seen : {watching_seen.get(), idle_seen.get()}) {
    auto profiles = profiles_in(*seen);
    ASSERT_EQ(profiles.size(), 1u);
    EXPECT_EQ(profiles[0].user.id, "carol");
    EXPECT_EQ(profiles[0].user.name, "carol name");
    EXPECT_EQ(profiles[0].status.text, "lunch");
  }
  EXPECT_FALSE(sched_.has_pending_timeout()) << "no timer once everything was told";
}

TEST_F(broadcaster_test, a_status_set_and_cleared_within_one_flush_is_told_once_with_its_final_value) {
  auto shard = spawn_shard();
  auto [sink, seen] = make_sink();
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}));
  tell(shard, profile_atom::value, person("carol"), status("lunch"));
  tell(shard, profile_atom::value, person("dave"), status("away"));
  tell(shard, profile_atom::value, person("carol"), status(""));
  pass(100);
  ASSERT_EQ(seen->size(), 1u) << "one note per flush";
  auto profiles = profiles_in(*seen);
  ASSERT_EQ(profiles.size(), 2u);
  EXPECT_EQ(profiles[0].user.id, "carol");
  EXPECT_EQ(profiles[0].status.text, "") << "the final value, once";
  EXPECT_EQ(profiles[1].user.id, "dave");
}

TEST_F(broadcaster_test, profiles_go_out_while_the_presence_service_is_off) {
  auto shard = spawn_shard();
  auto [sink, seen] = make_sink();
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{1}, sink, std::string{}));
  tell(shard, service_atom::value, engine::service_state{false, 3, 2, "admin"});
  seen->clear();
  auto bot = person("B1");
  bot.bot = true;
  bot.always_active = true;
  tell(shard, profile_atom::value, bot, events::custom_status{});
  pass(100);
  auto profiles = profiles_in(*seen);
  ASSERT_EQ(profiles.size(), 1u);
  EXPECT_TRUE(profiles[0].user.always_active);
}

TEST_F(broadcaster_test, each_phase_is_told_at_its_own_tick) {
  auto shard = spawn_shard(0, 100, 2);
  auto [even, even_seen] = make_sink();
  auto [odd, odd_seen] = make_sink();
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{2}, even, std::string{}));
  ASSERT_FALSE(call(shard, subscribe_atom::value, subscriber_id{3}, odd, std::string{}));
  tell(shard, profile_atom::value, person("carol"), status("lunch"));
  pass(50);  // tick 1: phase 1
  EXPECT_EQ(profiles_in(*odd_seen).size(), 1u);
  EXPECT_TRUE(profiles_in(*even_seen).empty()) << "phase 0 waits for its own tick";
  pass(50);  // tick 2: phase 0
  EXPECT_EQ(profiles_in(*even_seen).size(), 1u);
  EXPECT_EQ(profiles_in(*odd_seen).size(), 1u);
  // A later change is told to each phase once more, not twice.
  tell(shard, profile_atom::value, person("carol"), status(""));
  pass(50);
  pass(50);
  EXPECT_EQ(profiles_in(*even_seen).size(), 2u);
  EXPECT_EQ(profiles_in(*odd_seen).size(), 2u);
  EXPECT_FALSE(sched_.has_pending_timeout());
}

TEST_F(broadcaster_test, an_unsubscribed_sink_is_not_told_and_its_phase_still_is) {
  auto shard = spawn_shard(0, 100, 2);
  auto [kept, kept_seen] = make_sink();
  auto [left, left_seen] = make_sink();
  auto [same_phase, same_phase_seen] = make_sink();
  for (auto [id, sink] : {std::pair{subscriber_id{2}, kept}, std::pair{subscriber_id{4}, left},
                          std::pair{subscriber_id{6}, same_phase}})
    ASSERT_FALSE(call(shard, subscribe_atom::value, id, sink, std::string{}));
  ASSERT_FALSE(call(shard, unsubscribe_atom::value, subscriber_id{4}));
  tell(shard, profile_atom::value, person("carol"), status("lunch"));
  pass(50);
  pass(50);
  EXPECT_EQ(profiles_in(*kept_seen).size(), 1u);
  EXPECT_EQ(profiles_in(*same_phase_seen).size(), 1u);
  EXPECT_TRUE(profiles_in(*left_seen).empty());
}

} // namespace
} // namespace presence::actors
