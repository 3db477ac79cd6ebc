#pragma once

// A node's endpoint: the one actor other nodes talk to (messages.hpp), published on the node's
// cluster port. It serves commands for this node's users on the local engine, answers the
// workspace stream (on its owner), relays notifications to the nodes that watch this node's
// users, and remembers which connections came through which node, to close them when that node
// is lost. A detached actor: some of its work is blocking engine calls. Private.

#include <atomic>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages.hpp"

namespace presence::cluster {

/// A node's traffic counters (engine_stats' cluster_*), shared by its threads.
struct traffic {
  std::atomic<uint64_t> requests_sent{0};
  std::atomic<uint64_t> requests_served{0};
  std::atomic<uint64_t> relays_sent{0};
  std::atomic<uint64_t> relays_received{0};
};

struct endpoint_config {
  engine* local = nullptr; ///< the node's own engine (from open_engine); outlives the actor
  std::string node_id;
  relay_sink on_relay;     ///< notifications relayed by other nodes
  std::shared_ptr<traffic> counters;
};

caf::actor spawn_endpoint(caf::actor_system& system, endpoint_config config);

/// The router: runs `outgoing` steps (requests to other nodes) as an actor, so their answers
/// come back as messages, and monitors the other nodes' endpoints (`peer_atom`): `unreachable`
/// (node, endpoint) is called when CAF reports one down. Scheduled, not detached.
caf::actor spawn_router(caf::actor_system& system,
                        std::function<void(const std::string&, const caf::actor_addr&)> unreachable);

} // namespace presence::cluster
