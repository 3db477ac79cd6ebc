#pragma once

// The end-of-campaign checks of a cluster crash campaign: nobody online on any node once every
// client closed its sockets, and, in each owner's exported log, no connection left open.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "log_checks.hpp"
#include "workload.hpp"

namespace presence::crash {

/// Where a cluster's nodes answer (their HTTP ports, all up).
struct cluster_view {
  std::string host;
  std::vector<uint16_t> ports;
};

struct offline_audit {
  std::size_t reads = 0;           ///< users.getPresence answers compared (users x nodes)
  std::vector<std::string> faults; ///< who still reads online, and where
};

/// Asks every node, as each user, for the user's presence until all read away with no
/// connection, or `within` passed (the nodes close the sockets asynchronously).
offline_audit await_everyone_offline(const cluster_view& cluster,
                                     const std::vector<known_user>& users,
                                     std::chrono::milliseconds within);

/// The connection bookkeeping of one node's log, replayed per (stream, connection).
struct cluster_connection_audit {
  std::size_t connected = 0;
  std::map<std::string, std::size_t> closed_by_reason; ///< disconnected, by reason
  std::vector<std::string> open_now;                   ///< "stream/conn" open at the end
  std::vector<std::string> faults;                     ///< disconnects of a connection not open
};

/// Replays connected/disconnected in log order (a node's log holds the streams of the users it
/// owns, whichever node their connections came through).
cluster_connection_audit audit_cluster_connections(const exported_log& log);

} // namespace presence::crash
