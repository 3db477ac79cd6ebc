// What a cluster node asks of the engine (engine_cluster.hpp), on two real engines: the workspace
// stream read from one and replicated into another, and the other nodes' connections counted
// against the limit.

#include <variant>

#include "engine_test_support.hpp"
#include "presence/actors/engine_cluster.hpp"

namespace presence::test {
namespace {

/// Every workspace event of `source` but epoch_started (what a replica takes).
std::vector<events::event> replicable(engine& source) {
  auto all = workspace_events(source, 1, 10000);
  EXPECT_TRUE(all.ok());
  std::vector<events::event> out;
  for (auto& ev : *all)
    if (!std::holds_alternative<events::epoch_started>(ev.body))
      out.push_back(std::move(ev));
  return out;
}

class engine_cluster_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto owner = engine::open(test_config(dir_.sub("owner")));
    ASSERT_OK(owner);
    owner_ = std::move(owner.value());
    auto config = test_config(dir_.sub("replica"));
    config.workspace_replica = true;
    auto replica = engine::open(config);
    ASSERT_OK(replica);
    replica_ = std::move(replica.value());
  }

  temp_dir dir_;
  std::unique_ptr<engine> owner_;
  std::unique_ptr<engine> replica_;
};

TEST_F(engine_cluster_test, a_replica_takes_the_owners_workspace_as_recorded) {
  ASSERT_OK(owner_->create_user("alice", "Alice", false, origin{"admin", "admin.users.create"}));
  auto token = owner_->issue_token("alice");
  ASSERT_OK(token);
  ASSERT_OK(owner_->set_setting("idle_timeout", "120"));
  auto events = replicable(*owner_);
  ASSERT_EQ(events.size(), 3u);
  auto applied = replicate_workspace(*replica_, events);
  ASSERT_OK(applied);
  EXPECT_EQ(*applied, 3u);
  // The replica authenticates the owner's token and has its users and settings.
  auto who = replica_->authenticate(token->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, "alice");
  EXPECT_EQ(who->token_id, token->id);
  EXPECT_EQ(replica_->settings()->idle_timeout, 120);
  // Its log holds them as the owner recorded them (by, via, timestamp), after its own epoch.
  auto copied = replicable(*replica_);
  ASSERT_EQ(copied.size(), 3u);
  EXPECT_EQ(copied[0].by, "admin");
  EXPECT_EQ(copied[0].via, "admin.users.create");
  EXPECT_EQ(copied[0].ts, events[0].ts);
  // A revocation replicated later closes the token on the replica too.
  ASSERT_OK(owner_->revoke_token(token->id));
  auto more = replicable(*owner_);
  ASSERT_EQ(more.size(), 4u);
  ASSERT_OK(replicate_workspace(*replica_, {more.back()}));
  EXPECT_EQ(replica_->authenticate(token->secret).error().code, errc::token_revoked);
}

TEST_F(engine_cluster_test, only_workspace_events_replicate) {
  events::event stray;
  stray.stream = "alice";
  stray.body = events::activity{"c1"};
  auto refused = replicate_workspace(*replica_, {stray});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::invalid_argument);
  auto none = replicate_workspace(*replica_, {});
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
}

TEST_F(engine_cluster_test, other_nodes_connections_switch_the_owners_service_not_a_replicas) {
  ASSERT_OK(owner_->set_setting("connection_limit", "2"));
  ASSERT_OK(owner_->set_setting("auto_reenable_below", "2"));
  ASSERT_OK(owner_->create_user("alice", "Alice", false));
  ASSERT_OK(owner_->connect("alice", "c1", "web"));
  ASSERT_EQ(owner_->service()->node_connections, 1u);
  // Reaches the supervisor's mailbox before the reads below (one thread sends both), and the
  // supervisor handles nothing else while it records the switch.
  ASSERT_OK(set_peer_connections(*owner_, 2)); // 1 here + 2 elsewhere > 2
  auto state = owner_->service();
  ASSERT_OK(state);
  EXPECT_EQ(state->connections, 3u);
  EXPECT_EQ(state->node_connections, 1u);
  EXPECT_FALSE(state->enabled);
  EXPECT_EQ(state->reason, "connection_limit");
  ASSERT_OK(set_peer_connections(*owner_, 0)); // 1 < 2: back on
  EXPECT_TRUE(owner_->service()->enabled);

  ASSERT_OK(replicate_workspace(*replica_, replicable(*owner_)));
  ASSERT_OK(set_peer_connections(*replica_, 10));
  // The replica counts the others but never switches the service itself.
  EXPECT_EQ(replica_->service()->connections, 10u);
  EXPECT_EQ(replica_->service()->node_connections, 0u);
  EXPECT_TRUE(replica_->service()->enabled);
}

} // namespace
} // namespace presence::test
