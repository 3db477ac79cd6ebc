// Directory shards on CAF's test coordinator: routing, unknown and deactivated users, restart of a
// crashed user actor from the log, and the quiescent protocol.

#include "actor_test_support.hpp"

namespace presence::test {
namespace {

using events::presence_value;

class directory_test : public actor_fixture {
 protected:
  status connect(const std::string& user, const std::string& conn) {
    return command(command::connect{user, conn, "web", {}});
  }
};

TEST_F(directory_test, unknown_and_deactivated_users_are_refused) {
  ASSERT_ERRC(connect("U7", "c1"), errc::unknown_user);
  ASSERT_ERRC(connect("U9", "c1"), errc::user_deactivated);
  EXPECT_EQ(residents(), 0u);
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(directory_test, users_learned_later_are_served) {
  ASSERT_ERRC(connect("U7", "c1"), errc::unknown_user);
  ASSERT_OK(call(directory_, actors::users_atom::value,
                 std::vector<events::user_record>{{"U7", "seven", false, true, 0}}));
  ASSERT_OK(connect("U7", "c1"));
  ASSERT_OK(call(directory_, actors::users_atom::value,
                 std::vector<events::user_record>{{"U7", "seven", false, false, 0}}));
  ASSERT_ERRC(connect("U7", "c2"), errc::user_deactivated);
}

TEST_F(directory_test, a_killed_user_actor_comes_back_with_its_state_from_the_log) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(command(command::set_status{"U1", "deep work", ":headphones:", std::nullopt, {}}));
  auto before = resident_actor("U1");
  ASSERT_TRUE(before);
  caf::anon_send_exit(before, caf::exit_reason::kill);
  sched_.run();
  EXPECT_EQ(residents(), 1u);  // restarted at once, not on the next command
  auto after = resident_actor("U1");
  ASSERT_TRUE(after);
  EXPECT_NE(after, before);
  auto view = query(std::string{"U1"});
  ASSERT_OK(view);
  EXPECT_EQ(view->presence, presence_value::online);
  EXPECT_EQ(view->connection_count, 1u);
  EXPECT_EQ(view->status.text, "deep work");
  ASSERT_OK(connect("U1", "c2"));  // and keeps serving
  EXPECT_EQ(query(std::string{"U1"})->connection_count, 2u);
}

TEST_F(directory_test, a_stale_quiescent_report_is_ignored) {
  ASSERT_OK(connect("U2", "c1"));
  auto actor = resident_actor("U2");
  // The shard forwarded 1 command; a report of 0 means one is still in flight.
  caf::anon_send(directory_, actors::quiescent_atom::value, std::string{"U2"}, uint64_t{0});
  sched_.run();
  EXPECT_EQ(resident_actor("U2"), actor);
  caf::anon_send(directory_, actors::quiescent_atom::value, std::string{"U2"}, uint64_t{1});
  sched_.run();
  EXPECT_EQ(residents(), 0u);
}

TEST_F(directory_test, a_shard_keeps_only_its_own_start_users) {
  actors::directory_config config;
  config.index = 0;
  config.shards = 2;
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) {
    ids.push_back("S" + std::to_string(i));
    config.users.emplace(ids.back(), true);
  }
  auto shard = actors::spawn_directory(sys_, env_, config);
  sched_.run();
  std::size_t own = 0;
  for (const auto& id : ids) {
    auto connected = call(shard, command::connect{id, "c1", "web", {}});
    if (actors::user_shard(id, 2) == 0) {
      EXPECT_OK(connected);
      ++own;
    } else {
      ASSERT_FALSE(connected.ok()) << id << " belongs to the other shard";
      EXPECT_EQ(connected.error().code, errc::unknown_user) << id;
    }
  }
  EXPECT_GT(own, 0u);
  EXPECT_LT(own, ids.size());
  caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  sched_.run();
}

} // namespace
} // namespace presence::test
