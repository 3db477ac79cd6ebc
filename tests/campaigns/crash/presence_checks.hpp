#pragma once

// After a restart, with no client connected: each user's presence and status over the API (as the
// user, with the user's own token) must equal `presencectl inspect USER --json` (a replay of the
// log), and nobody may have an open connection.

#include <cstdint>
#include <string>
#include <vector>

#include "workload.hpp"

namespace presence::crash {

struct presence_audit {
  std::size_t users_checked = 0;
  std::vector<std::string> faults;
};

/// Where the tools are and what to compare against.
struct presence_probe {
  std::string host;
  uint16_t port = 0;
  std::string presencectl;  ///< path of the presencectl binary
  std::string db;           ///< the server's data directory
  std::string scratch;      ///< a directory for the tool's output
};

presence_audit compare_presence(const presence_probe& probe, const std::vector<known_user>& users);

} // namespace presence::crash
