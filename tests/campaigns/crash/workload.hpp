#pragma once

// The campaign's clients: one thread per worker user (RTM connects and disconnects, tickles,
// users.setPresence, users.profile.set) and one admin thread (users, tokens, settings, presets).
// Each thread records every write the server acknowledged, and the write in flight when the server
// died, in an ack_log. A thread stops at the first sign that the server is gone, or at stop().

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ack_log.hpp"

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

/// Where and as whom one server run's clients work.
struct run_target {
  std::string host;
  uint16_t port = 0;
  std::string admin_token;
  int cycle = 0;       ///< 1-based server run
  uint64_t epoch = 0;  ///< the epoch this run logs connections with
};

/// Counters of one run's workload.
struct workload_stats {
  std::atomic<uint64_t> operations{0};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> refused{0};  ///< ok:false answers while the server was up (a fault)
  std::mutex mutex;
  std::vector<std::string> faults;   ///< what was refused or went wrong, for the report
  void fault(std::string what);
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

/// RFC 3339 UTC with microseconds, as `presencectl export` prints instants.
std::string export_time(int64_t unix_seconds);

} // namespace presence::crash
