#pragma once

// What nodes say to each other over CAF's network layer, and what a node's own actors say to its
// endpoint. Each atom lists its handler's signature, `(atom, args...) -> reply`. Private to the
// cluster module.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "presence/actors/engine.hpp"
#include "presence/actors/inspect.hpp"

namespace presence::cluster {

/// (call_atom, std::string from_node, C command) -> C::reply (nothing for a void reply): a command
/// of `command::any` for a user this node owns, or a workspace write on the workspace owner.
using call_atom = caf::atom_constant<caf::atom("ccall")>;
/// (many_atom, std::vector<std::string> users) -> engine::presence_list: current presences.
using many_atom = caf::atom_constant<caf::atom("cmany")>;
/// (since_atom, uint64_t ordinal) -> std::vector<events::event>: the workspace owner's stream
/// from its `ordinal`-th replicable event (every event but `epoch_started`, counted from 0), at
/// most `replication_batch` of them.
using since_atom = caf::atom_constant<caf::atom("csince")>;
/// (watch_atom, std::string from_node, caf::actor reply_to, bool reset, std::vector<std::string>
/// add, std::vector<std::string> remove): `from_node` watches these users of this node; their
/// notifications, and every `user_change`, go to `reply_to` as `relay_atom` messages. `reset`
/// forgets what that node watched before.
using watch_atom = caf::atom_constant<caf::atom("cwatch")>;
/// (owner_atom, std::string from_node, caf::actor reply_to, std::string user, bool watch):
/// `from_node` serves connections of `user` (one of this node's users): relay (or stop relaying)
/// its `manual_presence_change` notes, which go to the user's own connections only.
using owner_atom = caf::atom_constant<caf::atom("cowner")>;
/// (relay_atom, std::string from_node, notification) to a watching node's endpoint.
using relay_atom = caf::atom_constant<caf::atom("crelay")>;
/// (lost_atom, std::string node, caf::node_id process) from the node's membership to its
/// endpoint: that node's process is gone (none: whichever it was); close the connections that
/// came through it and drop what it watched.
using lost_atom = caf::atom_constant<caf::atom("clost")>;
/// (done_atom, uint64_t promise, caf::message reply | caf::error) endpoint -> itself: an engine
/// answer, delivered on the endpoint's own thread.
using done_atom = caf::atom_constant<caf::atom("cdone")>;
/// (route_atom, outgoing_ptr) to the router: run the request in it on the router's behalf.
using route_atom = caf::atom_constant<caf::atom("croute")>;

/// (peer_atom, std::string node, caf::actor endpoint) to the router: monitor that node's endpoint;
/// when CAF's network layer loses the connection, the router calls its `unreachable` callback.
using peer_atom = caf::atom_constant<caf::atom("cpeer")>;

/// Events per `since_atom` answer.
inline constexpr std::size_t replication_batch = 1000;

/// A request to another node, as a step the router runs (it sends the request and hands the
/// answer, or the error, to a callback of the caller's). Local only.
struct outgoing {
  std::function<void(caf::event_based_actor* router)> run;
};
using outgoing_ptr = std::shared_ptr<outgoing>;

/// Receives relayed notifications (the node's fan-out). Local only.
using relay_sink = std::function<void(const std::string& from_node, const notification& note)>;

// Every type above that crosses nodes is the engine's (register_engine_types) or CAF's own.

} // namespace presence::cluster

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(presence::cluster::outgoing_ptr)
