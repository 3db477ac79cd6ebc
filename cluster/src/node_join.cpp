// Membership (docs/cluster.md, Membership): the node's record under an etcd lease it keeps alive,
// the partition map written once by a transaction, the members read back every poll interval
// (a member whose record went, or came back with a new incarnation, was lost), and the replica of
// the workspace stream pulled from its owner.

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "messages.hpp"
#include "node_impl.hpp"
#include "presence/actors/engine_cluster.hpp"

namespace presence::cluster {

namespace {

using steady = std::chrono::steady_clock;

/// How long a replica waits between pulls of the workspace stream when nothing is new.
constexpr auto replication_poll = std::chrono::milliseconds{100};

/// What in `batch` revokes credentials: a user id per deactivation, "" for any token revoked.
std::set<std::string> revocations(const std::vector<events::event>& batch) {
  std::set<std::string> out;
  for (const auto& ev : batch) {
    if (const auto* gone = std::get_if<events::user_deactivated>(&ev.body))
      out.insert(gone->user);
    else if (std::holds_alternative<events::token_revoked>(ev.body))
      out.insert(std::string{});
  }
  return out;
}

} // namespace

std::string node_impl::member_key(const std::string& id) const {
  return config_.key_prefix + "nodes/" + id;
}

status node_impl::register_member(bool fresh_lease) {
  if (fresh_lease) {
    auto lease = etcd_->grant_lease(config_.lease_ttl);
    if (!lease)
      return lease.error();
    lease_ = *lease;
  }
  member_record me;
  me.id = config_.node_id;
  me.url = url_;
  me.cluster_address = config_.listen_host + ":" + std::to_string(port_);
  me.incarnation = incarnation_;
  {
    std::lock_guard lock{mutex_};
    me.connections = published_connections_ == UINT64_MAX ? 0 : published_connections_;
  }
  return etcd_->put(member_key(config_.node_id), encode_member(me), lease_);
}

status node_impl::join(const std::string& url) {
  url_ = url;
  auto client = etcd_client::connect(config_.etcd);
  if (!client)
    return client.error();
  etcd_ = std::move(client.value());
  if (auto st = register_member(true); !st)
    return error{errc::unavailable, "etcd " + config_.etcd + ": " + describe(st.error())};
  std::string existing;
  partition_map map;
  if (!config_.nodes.empty()) {
    auto initial = initial_map(config_.nodes, config_.partitions);
    if (!initial)
      return initial.error();
    auto created = etcd_->create_if_absent(config_.key_prefix + "map", encode_map(*initial),
                                           &existing);
    if (!created)
      return error{errc::unavailable, "etcd " + config_.etcd + ": " + describe(created.error())};
    if (*created)
      existing = encode_map(*initial);
  } else {
    auto read = etcd_->get(config_.key_prefix + "map");
    if (!read || !*read)
      return error{errc::invalid_setting, "no partition map in etcd and no cluster_nodes to "
                                          "write one"};
    existing = (*read)->value;
  }
  auto decoded = decode_map(existing);
  if (!decoded)
    return decoded.error();
  map = std::move(decoded.value());
  if ((map.workspace_owner == config_.node_id) != owns_workspace_)
    return error{errc::invalid_setting,
                 "the cluster's workspace owner is " + map.workspace_owner +
                   ": start every node with the same cluster_nodes, that node first"};
  {
    std::lock_guard lock{mutex_};
    map_ = std::move(map);
    caught_up_ = owns_workspace_;
  }
  spdlog::info("cluster: node {} joined (etcd {}, endpoint {}:{}, {} partitions, workspace "
               "owner {})",
               config_.node_id, config_.etcd, config_.listen_host, port_, map_->partitions,
               map_->workspace_owner);
  membership_ = std::thread([this] { membership_loop(); });
  if (!owns_workspace_)
    replicator_ = std::thread([this] { replicator_loop(); });
  return status::success();
}

bool node_impl::ready() const {
  std::lock_guard lock{mutex_};
  return map_.has_value() && members_read_ && caught_up_ && !stopping_;
}

bool node_impl::wait_ready(std::chrono::milliseconds deadline) const {
  std::unique_lock lock{mutex_};
  return changed_.wait_for(lock, deadline, [this] {
    return stopping_ || (map_.has_value() && members_read_ && caught_up_);
  }) && !stopping_;
}

void node_impl::membership_loop() {
  auto keepalive_every = std::max(std::chrono::milliseconds{250},
                                  std::chrono::duration_cast<std::chrono::milliseconds>(
                                    config_.lease_ttl) / 3);
  auto next_keepalive = steady::now() + keepalive_every;
  for (;;) {
    {
      std::unique_lock lock{mutex_};
      if (stopping_)
        return;
    }
    if (steady::now() >= next_keepalive) {
      next_keepalive = steady::now() + keepalive_every;
      auto alive = etcd_->keep_alive(lease_);
      if (alive && !*alive) {
        // The lease expired (this process stalled, or etcd lost it): the others took this node
        // for lost and closed its connections; a new incarnation says so to everyone.
        spdlog::warn("cluster: lease {} expired; closing this node's connections and registering "
                     "again", lease_);
        forget(config_.node_id); // every connection here: the owners closed them (node_lost)
        incarnation_ += "+";
        if (auto st = register_member(true); !st)
          spdlog::warn("cluster: registering again failed: {}", describe(st.error()));
      } else if (!alive) {
        spdlog::warn("cluster: lease keep-alive failed: {}", describe(alive.error()));
      }
    }
    if (auto service = local_->service(); service) {
      bool changed = false;
      {
        std::lock_guard lock{mutex_};
        changed = published_connections_ != service->node_connections;
        published_connections_ = service->node_connections;
      }
      if (changed)
        (void)register_member(false);
    }
    if (auto members = etcd_->get_prefix(config_.key_prefix + "nodes/"); members)
      reconcile(*members);
    else
      spdlog::warn("cluster: reading the members failed: {}", describe(members.error()));
    std::unique_lock lock{mutex_};
    changed_.wait_for(lock, config_.poll_interval, [this] { return stopping_; });
  }
}

void node_impl::reconcile(const std::vector<etcd_kv>& members) {
  std::map<std::string, member_record> seen;
  for (const auto& kv : members) {
    auto record = decode_member(kv.value);
    if (record && record->id != config_.node_id)
      seen.emplace(record->id, std::move(record.value()));
  }
  std::vector<std::string> lost;
  std::vector<member_record> came;
  uint64_t others = 0;
  {
    std::lock_guard lock{mutex_};
    for (auto& [id, p] : peers_) {
      auto now = seen.find(id);
      if (p.alive && (now == seen.end() || now->second.incarnation != p.record.incarnation))
        lost.push_back(id);
    }
    for (auto& [id, record] : seen) {
      auto p = peers_.find(id);
      bool restarted = p != peers_.end() && p->second.record.incarnation != record.incarnation;
      if (p == peers_.end() || !p->second.alive || !p->second.endpoint || restarted)
        came.push_back(record);
      else
        p->second.record.connections = record.connections;
      others += record.connections;
    }
  }
  for (const auto& id : lost)
    member_down(id);
  for (const auto& record : came)
    member_up(record);
  bool changed = false;
  {
    std::lock_guard lock{mutex_};
    changed = peer_connections_ != others;
    peer_connections_ = others;
    if (!members_read_) {
      members_read_ = true;
      changed_.notify_all();
    }
  }
  if (changed)
    (void)set_peer_connections(*local_, others);
}

void node_impl::member_up(const member_record& record) {
  auto address = split_address(record.cluster_address);
  if (!address)
    return;
  auto endpoint = system_->middleman().remote_actor(address->first, address->second);
  if (!endpoint) {
    spdlog::debug("cluster: node {} at {} not reachable yet: {}", record.id,
                  record.cluster_address, system_->render(endpoint.error()));
    return;
  }
  {
    std::lock_guard lock{mutex_};
    peers_[record.id] = peer{record, *endpoint, endpoint->node(), true};
    changed_.notify_all();
  }
  caf::anon_send(router_, peer_atom::value, record.id, *endpoint);
  spdlog::info("cluster: node {} is up at {} ({})", record.id, record.cluster_address, record.url);
  rewatch(record.id);
  nudge_replicator();
}

void node_impl::member_down(const std::string& id) {
  caf::node_id process;
  {
    std::lock_guard lock{mutex_};
    auto& p = peers_[id];
    p.alive = false;
    p.endpoint = caf::actor{};
    process = p.process;
  }
  spdlog::warn("cluster: node {} lost: closing the connections that came through it", id);
  caf::anon_send(endpoint_, lost_atom::value, id, process);
  forget(id);
}

void node_impl::nudge_replicator() {
  std::lock_guard lock{mutex_};
  replicate_now_ = true;
  changed_.notify_all();
}

void node_impl::replicator_loop() {
  // This node's copy holds the owner's replicable events in order: their count is where to go on.
  uint64_t ordinal = 0;
  for (events::sequence from = 1;;) {
    auto page = workspace_events(*local_, from, 4096);
    if (!page || page->empty())
      break;
    for (const auto& ev : *page)
      if (!std::holds_alternative<events::epoch_started>(ev.body))
        ++ordinal;
    from = page->back().seq + 1;
  }
  for (;;) {
    caf::actor owner;
    // Writes acknowledged before this round began: answered once it is over.
    std::vector<std::function<void()>> waiting;
    {
      std::unique_lock lock{mutex_};
      changed_.wait_for(lock, replication_poll, [this] { return stopping_ || replicate_now_; });
      if (stopping_)
        return;
      replicate_now_ = false;
      waiting.swap(after_catch_up_);
      auto p = peers_.find(map_->workspace_owner);
      if (p != peers_.end() && p->second.alive && p->second.endpoint)
        owner = p->second.endpoint;
    }
    pull(owner, ordinal);
    for (auto& answer : waiting)
      answer();
  }
}

/// Pulls the owner's stream from `ordinal` until it answers nothing new (or fails).
void node_impl::pull(const caf::actor& owner, uint64_t& ordinal) {
  if (!owner)
    return;
  for (;;) {
    auto batch = ask_since(owner, ordinal);
    if (!batch)
      break;
    if (batch->empty()) {
      std::lock_guard lock{mutex_};
      if (!caught_up_) {
        caught_up_ = true;
        changed_.notify_all();
      }
      break;
    }
    auto revoked = revocations(*batch);
    auto applied = replicate_workspace(*local_, std::move(batch.value()));
    if (!applied) {
      spdlog::warn("cluster: applying the workspace stream failed: {}",
                   describe(applied.error()));
      break;
    }
    ordinal += *applied;
    for (const auto& user : revoked)
      announce_revocation(user);
  }
}

} // namespace presence::cluster
