#pragma once

// The crash campaign's command line.

#include <cstdint>
#include <string>
#include <vector>

namespace presence::crash {

struct campaign_options {
  int kills = 50;
  std::string durability = "wal";
  uint32_t seed = 1;
  int clients = 6;
  std::string data_dir;  ///< empty: a fresh directory under $TMPDIR, removed when all passed
  int pace_ms = 4;
  int min_run_ms = 300;
  int max_run_ms = 2500;
  int startup_kill_percent = 10;
  int startup_kill_max_ms = 250;
  int check_created_users = 8;
  bool keep_going = false;
  bool power_loss = false;  ///< drop unsynced data even with durability wal (a control run)
  /// A cluster campaign with this many nodes and an etcd (0: one presenced). Each kill hits a
  /// random node; the checks run at the end (cluster_campaign.hpp).
  int cluster = 0;
  int lease_ttl_s = 2;       ///< the nodes' etcd lease TTL
  int min_outage_ms = 0;     ///< a killed node stays down min..max ms before its restart
  int max_outage_ms = 3000;
  std::string presenced;
  std::string presencectl;
  std::string shim;

  /// Whether unsynced data is dropped after each kill.
  bool drops_unsynced() const { return durability == "fsync" || power_loss; }
  /// The presenced flags of a campaign server (besides data dir, listen address, admin token).
  std::vector<std::string> server_flags() const;
};

/// Parses argv; returns -1 to go on, else the exit code (0 after --help, 2 on a bad argument).
int parse_options(int argc, char** argv, campaign_options& options);

} // namespace presence::crash
