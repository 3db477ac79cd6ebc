#pragma once

// The crash campaign across a cluster (--cluster N): starts etcd and nodes n1..nN (n1 owns the
// workspace) on 127.0.0.1, runs the mixed workload with every client spreading its sockets and
// calls over all nodes, and kill -9s a random node (n1 included) at random moments; the node
// stays down --min-outage-ms..--max-outage-ms while the load goes on, then restarts with the same
// id and data directory and the campaign waits for its /readyz. Writes that fail during an outage
// (no answer, `unavailable`) are in flight; the acknowledged ones are checked at the end, after the
// clients closed their sockets: everyone reads offline on every node, then, after a clean stop,
// every acknowledged write is in the log of the node that owns its stream (the workspace's in
// n1's and each replica's), `presencectl verify` passes on every data directory and no
// connection is open in any log. Prints one JSON line per kill and a summary line.

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ack_log.hpp"
#include "campaign_options.hpp"
#include "support/etcd_process.hpp"
#include "support/presenced_process.hpp"
#include "workload.hpp"

namespace presence::crash {

class cluster_campaign {
 public:
  explicit cluster_campaign(campaign_options options);
  /// Runs the whole campaign; returns the process exit code (0: nothing lost, every check passed).
  int run();

 private:
  bool prepare(nlohmann::json& line);
  /// Starts node `i` and waits for its /readyz; then the clients may use it.
  bool start_node(std::size_t i, nlohmann::json& line);
  bool await_ready(std::size_t i, std::chrono::seconds within);
  bool locate_workers(nlohmann::json& line);
  /// One kill: a random node, kill -9, an outage, a restart.
  void kill_one(int k);
  /// Writes a last setting through the workspace owner and waits until every replica reads it:
  /// the workspace stream replicates in order, so each has every earlier workspace write.
  void await_replicas(nlohmann::json& line);
  /// Stops every node with SIGTERM, the workspace owner last.
  void stop_all(nlohmann::json& line);
  /// The checks on the stopped cluster's data directories.
  void check_logs(nlohmann::json& line);
  /// Copies node `i`'s log output into the work directory (it goes with the process).
  void keep_log(std::size_t i);
  void emit(const nlohmann::json& line);

  campaign_options options_;
  std::mt19937 rng_;
  std::string work_dir_;
  std::vector<std::string> ids_;
  std::vector<std::string> data_dirs_;
  std::vector<int> starts_; ///< per node: how many times it was started
  std::unique_ptr<test::etcd_process> etcd_;
  std::vector<std::unique_ptr<test::presenced_process>> nodes_;
  cluster_ports ports_;
  ack_log acks_;
  campaign_book book_;
  std::map<std::string, std::size_t> owner_; ///< worker -> the node that owns its partition
  std::size_t failed_kills_ = 0;
};

} // namespace presence::crash
