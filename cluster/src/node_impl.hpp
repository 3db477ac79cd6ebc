#pragma once

// The cluster node's implementation (node.hpp): routing (node.cpp), subscriptions across nodes
// (node_fanout.cpp), etcd membership and the workspace replica (node_join.cpp). Private.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/node_id.hpp>

#include "endpoint.hpp"
#include "etcd_client.hpp"
#include "partition_map.hpp"
#include "presence/cluster/node.hpp"

namespace presence::cluster {

class node_impl final : public node {
 public:
  node_impl(node_config config, std::unique_ptr<caf::actor_system_config> system_config,
            std::unique_ptr<caf::actor_system> system);
  ~node_impl() override;

  /// Opens the local engine and publishes the endpoint (node.cpp).
  status start(engine_config engine);

  // --- node ---
  status join(const std::string& url) override;
  bool ready() const override;
  bool wait_ready(std::chrono::milliseconds deadline) const override;
  uint16_t cluster_port() const override { return port_; }

  // --- engine ---
  status shutdown() override;
  void submit(request req, std::function<void(result<reply>)> done) override;
  void query_many_async(const std::vector<std::string>& users,
                        std::function<void(result<presence_list>)> done) override;
  result<events::workspace_settings> settings() override { return local_->settings(); }
  result<std::vector<events::preset>> presets() override { return local_->presets(); }
  result<std::vector<events::user_record>> users(const std::string& after,
                                                 std::size_t limit) override {
    return local_->users(after, limit);
  }
  result<service_state> service() override { return local_->service(); }
  result<storage::backup_info> backup(const std::string& dir) override {
    return local_->backup(dir);
  }
  result<storage::history_slice> history(const std::string& user, events::instant since,
                                         events::instant until) override;
  result<uint64_t> subscribe(notification_callback callback, const std::string& owner) override;
  status set_subscription(uint64_t subscriber, const std::vector<std::string>& users) override;
  status unsubscribe(uint64_t subscriber) override;
  engine_stats stats() const override;
  result<cluster_view> cluster() const override;
  result<user_location> locate(const std::string& user) const override;

  /// A notification relayed by another node (the endpoint calls it on its thread).
  void on_relay(const std::string& from_node, const notification& note);

 private:
  struct peer {
    member_record record;
    /// Its endpoint while linked; empty once CAF's network layer lost it or the node was lost.
    caf::actor endpoint;
    caf::node_id process; ///< CAF's id of the process `endpoint` lives in (kept when unlinked)
    bool alive = false;   ///< registered in etcd (by what the last poll read)
  };
  /// A subscription of this node's: the local engine's part, and the remote users it watches.
  struct subscription {
    notification_callback callback;
    std::string owner;
    uint64_t local_id = 0;
    std::set<std::string> remote;
    std::mutex calls; ///< one callback at a time (local broadcasters and relays both call it)
  };
  using subscription_ptr = std::shared_ptr<subscription>;

  /// The node that owns `user`, or empty before the map is known.
  std::string owner_of(const std::string& user) const;
  /// CAF lost the connection to `node`'s endpoint `gone` (the router's monitor).
  void unreachable(const std::string& node, const caf::actor_addr& gone);
  /// The live endpoint of `node`, or an invalid handle.
  caf::actor endpoint_of(const std::string& node) const;
  /// Sends `req` to `node`'s endpoint through the router; `unavailable` when it is not live.
  void forward(const std::string& node, request req, std::function<void(result<reply>)> done);
  /// Runs `req` here, or on the node that owns `user`.
  void route(const std::string& user, request req, std::function<void(result<reply>)> done);
  /// The workspace owner's events from `ordinal` on (blocking; a thread of the node's).
  result<std::vector<events::event>> ask_since(const caf::actor& dest, uint64_t ordinal);

  // node_fanout.cpp
  static void call(const subscription_ptr& sub, const notification& note);
  /// `subscriber` stops watching `user`; when nobody here watches it any more, its owner goes in
  /// `remove` (to be told). Under fanout_mutex_.
  void unwatch(const std::string& user, uint64_t subscriber,
               std::map<std::string, std::vector<std::string>>& remove);
  /// Sends `node` the change of what this node watches of its users.
  void send_watch(const std::string& node, bool reset, std::vector<std::string> add,
                  std::vector<std::string> remove);
  /// Current presences of `users` (all owned by `node`), asked of it (blocking); empty when it
  /// is down.
  presence_list ask_presences(const std::string& node, const std::vector<std::string>& users);
  /// Asks `node` to relay (or stop relaying) `user`'s manual_presence_change here.
  void send_owner_watch(const std::string& node, const std::string& user, bool watch);
  /// After a member came (back): tell it everything watched of its users.
  void rewatch(const std::string& node);
  /// A token revoked (`user` empty) or `user` deactivated through another node: the
  /// subscriptions without an owner (the API server's) are told to re-check credentials.
  void announce_revocation(const std::string& user);
  /// After a member was lost: its users' cached presences go, and this node's own connections of
  /// its users are told to reconnect. For this node itself (its lease expired): every connection.
  void forget(const std::string& node);

  // node_join.cpp
  void membership_loop();
  void replicator_loop();
  void pull(const caf::actor& owner, uint64_t& ordinal);
  status register_member(bool fresh_lease);
  void reconcile(const std::vector<etcd_kv>& members);
  void member_up(const member_record& record);
  void member_down(const std::string& id);
  std::string member_key(const std::string& id) const;
  /// Wakes the replicator (after a write on the workspace owner).
  void nudge_replicator();

  node_config config_;
  std::unique_ptr<caf::actor_system_config> system_config_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<engine> local_;
  caf::actor endpoint_;
  caf::actor router_;
  std::shared_ptr<traffic> traffic_ = std::make_shared<traffic>();
  uint16_t port_ = 0;
  std::string incarnation_;
  std::string url_;
  bool owns_workspace_ = false;

  mutable std::mutex mutex_; ///< map_, peers_, the flags below
  mutable std::condition_variable changed_;
  std::optional<partition_map> map_;
  std::map<std::string, peer> peers_;
  uint64_t published_connections_ = UINT64_MAX;
  uint64_t peer_connections_ = UINT64_MAX;
  bool members_read_ = false;
  bool caught_up_ = false;
  bool stopping_ = false;
  bool replicate_now_ = false;
  /// Answers of workspace writes forwarded to the owner, run after the next pull of the workspace
  /// stream that began after them.
  std::vector<std::function<void()>> after_catch_up_;
  /// Requests sent to other nodes and not answered yet, by id (answered by shutdown if the router
  /// never does).
  std::map<uint64_t, std::function<void(result<reply>)>> in_flight_;
  uint64_t next_request_ = 1;

  std::unique_ptr<etcd_client> etcd_;
  int64_t lease_ = 0;
  std::thread membership_;
  std::thread replicator_;

  std::mutex fanout_mutex_; ///< the members below
  std::map<uint64_t, subscription_ptr> subscriptions_;
  uint64_t next_subscription_ = 1;
  /// Remote user -> the subscriptions that watch it.
  std::unordered_map<std::string, std::set<uint64_t>> watchers_;
  /// Remote user -> how many subscriptions here it owns (its own connections on this node).
  std::unordered_map<std::string, std::size_t> owners_here_;
  /// Remote user -> its presence as last relayed (or asked).
  std::unordered_map<std::string, events::presence_value> cached_;
};

} // namespace presence::cluster
