#pragma once

// The campaign's clients: one thread per worker user (RTM connects and disconnects, tickles,
// users.setPresence, users.profile.set) and one admin thread (users, tokens, settings, presets).
// Each thread records every write the server acknowledged, and the write in flight when the server
// died, in an ack_log. A thread stops at the first sign that the server is gone, or at stop(); in
// a cluster it goes on through outages (each operation on a random live node) until stop().

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ack_log.hpp"

namespace presence::test {
class http_client;
}

namespace presence::crash {

/// A user the campaign can act as.
struct known_user {
  std::string id;
  std::string token;
};

/// State that outlives one server run: who exists, which tokens and presets the admin may
/// revoke or change, and counters that keep names unique. Thread-safe.
class campaign_book {
 public:
  std::vector<known_user> workers;  ///< set up once before the first run, read-only after
  void add_created(known_user user);
  std::vector<known_user> created() const;
  /// The workers and up to `created_count` admin-created users picked at random.
  std::vector<known_user> sample(std::size_t created_count, std::mt19937& rng) const;
  void add_token(std::string id);
  /// A revocable token id taken out of the book ("" when none).
  std::string take_token(uint32_t dice);
  void add_preset(std::string id);
  std::string pick_preset(uint32_t dice, bool take);
  uint64_t next_serial() { return serial_.fetch_add(1) + 1; }

 private:
  mutable std::mutex mutex_;
  std::vector<known_user> created_;
  std::vector<std::string> tokens_;
  std::vector<std::string> presets_;
  std::atomic<uint64_t> serial_{0};
};

/// The HTTP ports of a cluster's nodes, 0 while a node is down or not ready yet; the campaign
/// updates them as it kills and restarts nodes. Thread-safe.
class cluster_ports {
 public:
  explicit cluster_ports(std::size_t count) : ports_(count) {
    for (auto& port : ports_)
      port.store(0);
  }
  std::size_t size() const { return ports_.size(); }
  uint16_t port(std::size_t node) const { return ports_[node].load(); }
  void set(std::size_t node, uint16_t port) {
    ports_[node].store(port);
    changes_.fetch_add(1);
  }
  /// How many times a port changed (a node went down or came back).
  uint64_t changes() const { return changes_.load(); }

 private:
  std::vector<std::atomic<uint16_t>> ports_;
  std::atomic<uint64_t> changes_{0};
};

/// Where and as whom one server run's clients work.
struct run_target {
  std::string host;
  uint16_t port = 0;   ///< a single server (ignored with `cluster`)
  std::string admin_token;
  int cycle = 0;       ///< 1-based server run
  uint64_t epoch = 0;  ///< the epoch this run logs connections with (not checked in a cluster)
  /// A cluster: each operation goes to a random live node; a failure (no answer, `unavailable`)
  /// leaves the write in flight and the client goes on. Null: one server, and a client stops at
  /// the first sign that it is gone.
  const cluster_ports* cluster = nullptr;
};

/// Counters of one run's workload.
struct workload_stats {
  std::atomic<uint64_t> operations{0};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> refused{0};  ///< ok:false answers while the server was up (a fault)
  /// Cluster: admin.presets.update answered preset_not_found for a preset whose creation was
  /// acknowledged. The node the update went to reads the presets from its replica of the
  /// workspace, which may not have the creation yet. Counted, not a fault.
  std::atomic<uint64_t> stale_refused{0};
  std::mutex mutex;
  std::vector<std::string> faults;   ///< what was refused or went wrong, for the report
  void fault(std::string what);
  /// Adds the counters to a report line and the faults to its "faults".
  void report(nlohmann::json& line);
};

class workload {
 public:
  workload(ack_log& log, campaign_book& book) : log_(log), book_(book) {}
  ~workload() { stop(); }

  /// Starts `clients` worker threads (one per worker user, up to the book's count) and the admin
  /// thread. `pace_ms`: each thread waits a random 0..pace_ms between operations.
  void start(const run_target& target, int clients, int pace_ms, uint32_t seed);
  /// Tells the threads to stop and joins them. Call after the server was killed.
  void stop();
  workload_stats& stats() { return stats_; }

 private:
  void worker_main(const known_user& user, uint32_t seed);
  void admin_main(uint32_t seed);

  ack_log& log_;
  campaign_book& book_;
  run_target target_;
  int pace_ms_ = 5;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  workload_stats stats_;
};

/// Creates the users worker-0..worker-`count - 1` through `http` (as the admin), records the
/// acknowledged user_created and token_issued, and puts them in `book.workers`. False (with a
/// message on stderr) when one is refused.
bool create_worker_users(test::http_client& http, int count, ack_log& log, campaign_book& book);

/// RFC 3339 UTC with microseconds, as `presencectl export` prints instants.
std::string export_time(int64_t unix_seconds);

} // namespace presence::crash
