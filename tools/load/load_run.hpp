#pragma once

// One presence-load run against a running presenced: create users, open and subscribe the
// WebSocket connections, drive presence (or status) changes at a fixed rate, measure what the
// connections see.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace presence::load {

struct load_options {
  std::string host = "127.0.0.1";     ///< presenced's address (loopback only)
  uint16_t port = 8080;
  /// Cluster nodes as "HOST:PORT" (loopback only); when not empty they replace host and port.
  /// User number u (first_user + index) connects, calls rtm.connect and sends its changes to
  /// node u % nodes.size(); the users are created round robin over the nodes the same way.
  std::vector<std::string> nodes;
  /// Several load processes share one population of users "<prefix><number>": this process
  /// drives numbers first_user … first_user + connections - 1 (give each process the same prefix
  /// and a disjoint range). Subscriptions stay within the process's own range.
  std::size_t first_user = 0;
  /// When not empty, the run stops twice until a file of this directory exists: `connect` (users
  /// created, before any WebSocket connects) and `measure` (every connection subscribed, before
  /// the first change). It prints `{"phase":"barrier","name":…}` when it starts waiting, so a
  /// script driving several processes can sample the servers and then let them all go at once.
  std::string barrier_dir;
  std::string admin_token;            ///< creates the users (admin.users.create)
  int server_pid = 0;                 ///< read its RSS for bytes per connection; 0 = skip
  std::size_t connections = 1000;     ///< WebSocket connections, one user each
  std::size_t subscriptions = 50;     ///< users each connection subscribes to (presence_sub)
  /// Offered presence changes per second (users.setPresence), one measured phase per value, in
  /// order, on the same connections.
  std::vector<double> rates{1000};
  double duration_s = 10;             ///< each measured phase
  /// At most this long waiting for the subscriptions' initial presences before measuring.
  double subscribe_timeout_s = 120;
  double settle_s = 2;                ///< wait after connecting (initial presences) and at the end
  std::size_t http_connections = 16;  ///< keep-alive HTTP connections for the Web API calls
  std::size_t sources = 8;            ///< source addresses 127.0.0.2 … 127.0.0.(1+sources)
  std::size_t connect_concurrency = 256;  ///< WebSocket handshakes in progress at most
  bool use_ticket = false;            ///< connect via rtm.connect tickets instead of ?token=
  std::string prefix;                 ///< user id prefix; empty = "ld<pid>x"
  /// Reuse users across runs: when this file lists at least `connections` "id token" lines they
  /// are used and no user is created; otherwise the users are created and written to it.
  std::string tokens_file;
  double timeout_s = 600;             ///< hard limit of the whole run
  /// Every this many seconds print a `"phase":"sample"` line (server RSS, fds, threads from
  /// /proc/server_pid; deliveries and errors so far) from the start to the summary; 0 = never.
  double sample_every_s = 0;
  /// Before each change, send a `tickle` (activity) on the user's own connection: without any
  /// client frame a user turns idle (auto-away) after the workspace's idle_timeout, and from
  /// then on `presence=auto` shows away as `presence=away` does, so long runs deliver nothing.
  bool tickle = false;
  /// What a change is: `presence` (users.setPresence away/auto, seen by the user's subscribers
  /// as presence_change) or `status` (users.profile.set, the text alternating between "away" and
  /// "here", seen by every connection as user_change: no subscription needed).
  std::string change = "presence";
};

/// Runs the load and prints JSON lines: the phases (connect; idle and subscribed server RSS),
/// one `"phase":"rate"` line per offered rate, `"phase":"sample"` lines with `sample_every_s`,
/// and the summary last. Returns the exit code: 0 when the run
/// completed (errors are reported as figures), 1 when it could not run or hit `timeout_s`.
int run_load(const load_options& options);

} // namespace presence::load
