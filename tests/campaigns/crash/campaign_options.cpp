#include "campaign_options.hpp"

#include <CLI/CLI.hpp>

namespace presence::crash {

std::vector<std::string> campaign_options::server_flags() const {
  // A long idle timeout and heartbeat: nothing time-dependent changes presence between the API
  // answer and the replay, and no socket of a busy client is cut off as a dead peer. Frequent
  // snapshots and passivation make rebuilds (snapshot + tail) part of every run. (The log level
  // is presenced_process's.)
  return {"--durability", durability, "--idle-timeout", "604800",
          "--ping-interval-ms", "600000", "--rate-limit-per-s", "0", "--connection-limit", "0",
          "--connect-rate-per-s", "0",
          "--snapshot-every", "25", "--passivate-after-s", "1", "--activity-log-interval", "1"};
}

int parse_options(int argc, char** argv, campaign_options& o) {
#ifdef PRESENCED_PATH
  o.presenced = PRESENCED_PATH;
#endif
#ifdef PRESENCECTL_PATH
  o.presencectl = PRESENCECTL_PATH;
#endif
#ifdef PRESENCE_SHIM_PATH
  o.shim = PRESENCE_SHIM_PATH;
#endif
  CLI::App app{
    "crash_campaign: runs presenced under a mixed workload, kill -9s it at random moments and "
    "restarts it; after each restart checks that every acknowledged write is in the log "
    "(presencectl export), presencectl verify passes, no connection of a dead epoch is open, and "
    "each user's presence over the API equals the replay (presencectl inspect). Prints one JSON "
    "line per kill and a summary line; exit 0 only when nothing was lost and every check passed."};
  app.add_option("--kills", o.kills, "kills during the workload (default 50)")->check(CLI::Range(1, 100000));
  app.add_option("--durability", o.durability,
                 "wal: kill -9 only; fsync: also drop every byte not fsynced (power loss)")
    ->check(CLI::IsMember({"wal", "fsync"}));
  app.add_option("--seed", o.seed, "random seed (default 1)");
  app.add_option("--clients", o.clients, "worker clients, one user each (default 6)")
    ->check(CLI::Range(1, 64));
  app.add_option("--data-dir", o.data_dir,
                 "data directory, must not exist or be empty (default: a temporary one)");
  app.add_option("--pace-ms", o.pace_ms, "each client waits 0..N ms between operations (default 4)")
    ->check(CLI::Range(0, 10000));
  app.add_option("--min-run-ms", o.min_run_ms, "shortest workload before a kill (default 300)")
    ->check(CLI::Range(0, 600000));
  app.add_option("--max-run-ms", o.max_run_ms, "longest workload before a kill (default 2500)")
    ->check(CLI::Range(0, 600000));
  app.add_option("--startup-kill-percent", o.startup_kill_percent,
                 "chance of an extra kill during start-up recovery after a kill (default 10)")
    ->check(CLI::Range(0, 100));
  app.add_option("--startup-kill-max-ms", o.startup_kill_max_ms,
                 "such a kill comes 0..N ms after the start (default 250)")
    ->check(CLI::Range(0, 60000));
  app.add_option("--check-created-users", o.check_created_users,
                 "admin-created users whose presence is compared per restart, besides the "
                 "workers (default 8)")
    ->check(CLI::Range(0, 100000));
  app.add_flag("--power-loss", o.power_loss,
               "drop unsynced data after each kill also with --durability wal: a control run, "
               "which must report lost writes (wal mode does not survive a power loss)");
  app.add_option("--cluster", o.cluster,
                 "run a cluster of N nodes (etcd from $ETCD or PATH) instead of one presenced: the "
                 "clients spread over every node, each kill hits a random node (the workspace "
                 "owner included), which restarts with its id and data once --min-outage-ms.."
                 "--max-outage-ms passed; the checks run once at the end, after a clean stop "
                 "(default 0: off)")
    ->check(CLI::Range(0, 16));
  app.add_option("--lease-ttl", o.lease_ttl_s, "cluster: the nodes' etcd lease TTL in s (default 2)")
    ->check(CLI::Range(1, 60));
  app.add_option("--min-outage-ms", o.min_outage_ms,
                 "cluster: a killed node stays down at least N ms (default 0)")
    ->check(CLI::Range(0, 600000));
  app.add_option("--max-outage-ms", o.max_outage_ms,
                 "cluster: a killed node stays down at most N ms (default 3000)")
    ->check(CLI::Range(0, 600000));
  app.add_flag("--keep-going", o.keep_going, "go on after a failed check (default: stop)");
  app.add_option("--presenced", o.presenced, "presenced binary (default: the one built here)");
  app.add_option("--presencectl", o.presencectl, "presencectl binary (default: the one built here)");
  app.add_option("--shim", o.shim, "fsync_shim library for --durability fsync (default: built here)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    return app.exit(err) == 0 ? 0 : 2;
  }
  if (o.max_run_ms < o.min_run_ms) {
    std::cerr << "crash_campaign: --max-run-ms is below --min-run-ms\n";
    return 2;
  }
  if (o.max_outage_ms < o.min_outage_ms) {
    std::cerr << "crash_campaign: --max-outage-ms is below --min-outage-ms\n";
    return 2;
  }
  if (o.cluster > 0 && (o.drops_unsynced() || !o.data_dir.empty())) {
    std::cerr << "crash_campaign: --cluster runs with --durability wal, no --power-loss and no "
                 "--data-dir\n";
    return 2;
  }
  return -1;
}

} // namespace presence::crash
