// presence-load: a WebSocket load generator against a running presenced on loopback. Prints its
// command line, then one JSON object per phase and per second, the summary last.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "load_run.hpp"

int main(int argc, char** argv) {
  presence::load::load_options options;
  CLI::App app{"presence-load: C WebSocket connections (users created through the admin API), "
               "each subscribed to S users, R presence changes/s; measures delivered presence "
               "updates/s, delivery latency, connect rate, errors and server bytes per "
               "connection. Loopback only; bounded in count and time."};
  app.add_option("--host", options.host, "presenced address (127.0.0.0/8 only)")
    ->capture_default_str();
  auto* port = app.add_option("--port", options.port, "presenced port");
  auto* nodes = app
                  .add_option("--nodes", options.nodes,
                              "cluster nodes HOST:PORT,…: user u connects, calls rtm.connect "
                              "and changes on node u % count (replaces --host/--port)")
                  ->delimiter(',');
  port->excludes(nodes);
  app
    .add_option("--first-user", options.first_user,
                "this process's users are <prefix><first-user>…: several processes with one "
                "--prefix and disjoint ranges share one population")
    ->capture_default_str();
  app.add_option("--barrier-dir", options.barrier_dir,
                 "wait for the files DIR/connect (users created) and DIR/measure (subscribed) "
                 "before going on; prints a barrier line when waiting");
  app.add_option("--admin-token", options.admin_token, "admin token (creates the users)")
    ->required();
  app.add_option("--server-pid", options.server_pid, "presenced's pid, to read its RSS (0: skip)");
  app.add_option("--connections", options.connections, "WebSocket connections, one user each")
    ->check(CLI::Range(2, 1'000'000))
    ->capture_default_str();
  app.add_option("--subscriptions", options.subscriptions, "users each connection subscribes to")
    ->check(CLI::Range(0, 100'000))
    ->capture_default_str();
  app.add_option("--rate", options.rates,
                 "offered presence changes per second; a comma list measures each in turn")
    ->delimiter(',')
    ->check(CLI::Range(0.0, 10'000'000.0))
    ->capture_default_str();
  app.add_option("--duration", options.duration_s, "seconds of measured load per rate")
    ->check(CLI::Range(0.1, 3600.0))
    ->capture_default_str();
  app.add_option("--settle", options.settle_s, "seconds to wait after connecting and at the end")
    ->check(CLI::Range(0.0, 60.0))
    ->capture_default_str();
  app
    .add_option("--subscribe-timeout", options.subscribe_timeout_s,
                "seconds to wait at most for the subscriptions' initial presences")
    ->check(CLI::Range(1.0, 7200.0))
    ->capture_default_str();
  app.add_option("--http-connections", options.http_connections, "keep-alive HTTP connections")
    ->check(CLI::Range(1, 1024))
    ->capture_default_str();
  app.add_option("--sources", options.sources, "source addresses 127.0.0.2…")
    ->check(CLI::Range(1, 250))
    ->capture_default_str();
  app.add_option("--connect-concurrency", options.connect_concurrency,
                 "WebSocket handshakes in progress at most")
    ->check(CLI::Range(1, 100'000))
    ->capture_default_str();
  app.add_flag("--rtm-connect", options.use_ticket, "connect through rtm.connect tickets");
  app.add_option("--prefix", options.prefix, "user id prefix (default ld<pid>x)");
  app.add_option("--tokens-file", options.tokens_file,
                 "reuse users: read 'id token' lines from FILE, or create them and write it");
  app.add_option("--timeout", options.timeout_s, "hard limit of the whole run, seconds")
    ->check(CLI::Range(1.0, 7200.0))
    ->capture_default_str();
  app.add_option("--sample-every", options.sample_every_s,
                 "print a sample line (server RSS, fds, threads; deliveries, errors) every N s, "
                 "0 = never")
    ->check(CLI::Range(0.0, 3600.0))
    ->capture_default_str();
  app.add_flag("--tickle", options.tickle,
               "send a tickle (activity) on the user's connection before each change, so users "
               "stay active past the server's idle_timeout (long runs)");
  app.add_option("--change", options.change,
                 "presence: users.setPresence, delivered to subscribers as presence_change; "
                 "status: users.profile.set, delivered to every connection as user_change")
    ->check(CLI::IsMember({"presence", "status"}))
    ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (options.nodes.empty() && port->count() == 0) {
    std::cerr << "presence-load: --port or --nodes is required\n";
    return 2;
  }

  std::string joined;
  nlohmann::json args = nlohmann::json::array();
  for (int i = 0; i < argc; ++i) {
    joined += (i > 0 ? " " : "") + std::string{argv[i]};
    args.push_back(argv[i]);
  }
  std::cout << nlohmann::json{{"command", joined}, {"argv", args}}.dump() << '\n' << std::flush;
  bool loopback = options.host.rfind("127.", 0) == 0;
  for (const auto& node : options.nodes)
    loopback = loopback && node.rfind("127.", 0) == 0 && node.find(':') != std::string::npos;
  if (!loopback) {
    std::cout << nlohmann::json{{"bench", "load"}, {"error", "loopback only"}}.dump() << '\n';
    return 2;
  }
  return presence::load::run_load(options);
}
