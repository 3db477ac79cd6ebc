#pragma once

// A cluster node: one workspace served by several presenced processes (docs/cluster.md). etcd holds
// the membership (each node's record under a lease of its own) and the partition map; CAF's network
// layer (the io middleman) carries commands, subscriptions and the workspace stream between nodes.
// The node is an `engine`: a host serves it as it serves one engine, and every command goes to the
// node that owns its user.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "presence/actors/engine.hpp"

namespace presence::cluster {

/// How a node joins its cluster.
struct node_config {
  std::string etcd;      ///< http://HOST:PORT of an etcd v3 member (its JSON gateway)
  std::string node_id;   ///< `[A-Za-z0-9._-]{1,64}`, stable across restarts (with its data dir)
  std::string listen_host = "127.0.0.1"; ///< the node-to-node endpoint
  uint16_t listen_port = 0;              ///< 0 = a free port (registered in etcd)
  /// The nodes a first start assigns the partitions to, in order; the first owns the workspace
  /// stream. Ignored once the map exists in etcd.
  std::vector<std::string> nodes;
  uint32_t partitions = 64;              ///< fixed when the map is first written
  std::chrono::seconds lease_ttl{5};     ///< the node's etcd lease: loss is seen this late
  std::string key_prefix = "/presence/"; ///< where the cluster lives in etcd
  /// How often the node reads the members from etcd and publishes its connection count.
  std::chrono::milliseconds poll_interval{200};
};

/// A node. Thread-safe as `engine` is.
class node : public engine {
 public:
  /// Registers in etcd (under a lease it keeps alive) with `url` (its HTTP API, for operators),
  /// writes the partition map if there is none yet (one transaction: concurrent first starts
  /// agree), reads it, links to the live members and starts following the workspace stream.
  /// Returns once registered; `ready` tells when the node serves. Errors: `invalid_setting`
  /// (this node is not the map's workspace owner but was started as it, or the reverse),
  /// `unavailable` (etcd does not answer), `shutting_down`.
  virtual status join(const std::string& url) = 0;
  /// Joined, the map known, every live member linked and (on a replica) the workspace stream
  /// caught up with its owner once.
  virtual bool ready() const = 0;
  /// Waits until `ready` or `deadline`; true when ready.
  virtual bool wait_ready(std::chrono::milliseconds deadline) const = 0;
  /// The node-to-node endpoint's port (after `open`).
  virtual uint16_t cluster_port() const = 0;
};

/// Opens the node's own engine (`engine` as for engine::open: its data dir holds the events of the
/// users of this node's partitions, and its copy of the workspace stream) on an actor system with
/// CAF's network layer, and publishes the node-to-node endpoint. Errors: those of engine::open,
/// `invalid_setting` (a bad node id, an empty etcd URL, partitions outside 1..4096, a listen
/// address that cannot be bound).
[[nodiscard]] result<std::unique_ptr<node>> open(engine_config engine, node_config config);

/// The partition of `user` among `partitions`: FNV-1a (64-bit) of the id, modulo the count.
/// Stable across builds and platforms.
uint32_t partition_of(const std::string& user, uint32_t partitions) noexcept;

} // namespace presence::cluster
