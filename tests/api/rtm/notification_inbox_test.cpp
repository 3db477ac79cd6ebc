#include "rtm/notification_inbox.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using presence::notification;
using presence::api::rtm::notification_inbox;
using presence::events::presence_value;
using json = nlohmann::json;

notification change(presence_value value, std::vector<std::string> users) {
  notification note;
  note.type = notification::kind::presence_change;
  note.presence = value;
  note.users = std::move(users);
  return note;
}

notification service(bool enabled) {
  notification note;
  note.type = notification::kind::presence_service_status;
  note.service_enabled = enabled;
  return note;
}

TEST(rtm_notification_inbox, only_the_first_add_after_a_take_asks_for_a_drain) {
  notification_inbox inbox;
  EXPECT_TRUE(inbox.add(change(presence_value::online, {"a"})));
  EXPECT_FALSE(inbox.add(change(presence_value::online, {"b"})));
  EXPECT_EQ(inbox.take(true).frames.size(), 1u);
  EXPECT_TRUE(inbox.take(true).frames.empty()) << "taken once";
  EXPECT_TRUE(inbox.add(change(presence_value::away, {"c"}))) << "idle again after a take";
}

TEST(rtm_notification_inbox, adjacent_changes_from_several_shards_become_one_frame_per_value) {
  notification_inbox inbox;
  inbox.add(change(presence_value::online, {"d", "b"}));
  inbox.add(change(presence_value::away, {"x"}));
  inbox.add(change(presence_value::online, {"a"}));
  inbox.add(change(presence_value::away, {"w"}));
  auto taken = inbox.take(true);
  ASSERT_EQ(taken.frames.size(), 2u);
  EXPECT_EQ(taken.deliveries, 5u);
  auto online = json::parse(taken.frames[0]);
  EXPECT_EQ(online["type"], "presence_change");
  EXPECT_EQ(online["presence"], "active");
  EXPECT_EQ(online["users"], (json{"a", "b", "d"}));
  auto away = json::parse(taken.frames[1]);
  EXPECT_EQ(away["presence"], "away");
  EXPECT_EQ(away["users"], (json{"w", "x"}));
}

TEST(rtm_notification_inbox, a_user_in_two_merged_changes_keeps_only_its_latest_value) {
  notification_inbox inbox;
  inbox.add(change(presence_value::away, {"a", "b"}));
  inbox.add(change(presence_value::online, {"a"}));
  auto taken = inbox.take(true);
  ASSERT_EQ(taken.frames.size(), 2u);
  EXPECT_EQ(taken.deliveries, 2u);
  EXPECT_EQ(json::parse(taken.frames[0])["users"], json{"a"});
  EXPECT_EQ(json::parse(taken.frames[0])["presence"], "active");
  EXPECT_EQ(json::parse(taken.frames[1])["users"], json{"b"});
}

TEST(rtm_notification_inbox, other_notifications_keep_their_place_between_runs) {
  notification_inbox inbox;
  inbox.add(change(presence_value::away, {"a"}));
  inbox.add(service(false));
  inbox.add(change(presence_value::disabled, {"a"}));
  auto taken = inbox.take(true);
  ASSERT_EQ(taken.frames.size(), 3u);
  EXPECT_EQ(json::parse(taken.frames[0])["presence"], "away");
  EXPECT_EQ(json::parse(taken.frames[1])["type"], "presence_service_status");
  EXPECT_EQ(json::parse(taken.frames[2])["users"], json{"a"});
}

TEST(rtm_notification_inbox, unbatched_clients_get_one_frame_per_user) {
  notification_inbox inbox;
  inbox.add(change(presence_value::online, {"b"}));
  inbox.add(change(presence_value::online, {"a"}));
  auto taken = inbox.take(false);
  ASSERT_EQ(taken.frames.size(), 2u);
  EXPECT_EQ(json::parse(taken.frames[0])["user"], "a");
  EXPECT_EQ(json::parse(taken.frames[1])["user"], "b");
}

TEST(rtm_notification_inbox, concurrent_adds_are_all_taken_and_each_drain_is_asked_once) {
  notification_inbox inbox;
  constexpr int per_thread = 10000;
  std::atomic<int> drains_asked{0};
  std::atomic<std::size_t> delivered{0};
  std::atomic<bool> done{false};
  auto producer = [&](const std::string& prefix) {
    for (int i = 0; i < per_thread; ++i)
      if (inbox.add(change(presence_value::online, {prefix + std::to_string(i)})))
        ++drains_asked;
  };
  std::thread consumer{[&] {
    while (!done.load())
      delivered += inbox.take(true).deliveries;
  }};
  std::thread first{producer, "a"};
  std::thread second{producer, "b"};
  first.join();
  second.join();
  done = true;
  consumer.join();
  delivered += inbox.take(true).deliveries;
  EXPECT_EQ(delivered.load(), 2u * per_thread) << "every user, each once";
  EXPECT_GE(drains_asked.load(), 1);
}

} // namespace
