#pragma once

// The crash campaign: start presenced, run the workload, kill -9 at a random moment, (fsync:
// drop what was not synced), restart, check; repeat. Prints one JSON line per kill to stdout.

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ack_log.hpp"
#include "campaign_options.hpp"
#include "support/presenced_process.hpp"
#include "workload.hpp"

namespace presence::crash {

class campaign {
 public:
  explicit campaign(campaign_options options);
  /// Runs the whole campaign; returns the process exit code (0: nothing lost, every check passed).
  int run();

 private:
  bool prepare_directories();
  bool start_server(nlohmann::json& line);
  bool create_workers();
  /// One kill: workload, kill -9, drop (fsync), maybe a start-up kill, restart, checks.
  bool cycle(int k);
  void kill_during_startup(nlohmann::json& line);
  bool drop_unsynced_into(nlohmann::json& line, const char* field);
  /// The checks after a restart; adds their figures and faults to `line`.
  void check(nlohmann::json& line);
  std::vector<std::string> server_args() const;
  std::vector<std::string> server_env() const;
  void emit(const nlohmann::json& line);

  campaign_options options_;
  std::mt19937 rng_;
  std::string work_dir_;   ///< scratch: the shim's side log, tool output
  std::string data_dir_;   ///< absolute
  std::string shim_log_;
  bool temporary_data_ = false;
  std::unique_ptr<test::presenced_process> server_;
  ack_log acks_;
  campaign_book book_;
  uint64_t epoch_ = 0;
  std::size_t faults_ = 0;
  std::size_t startup_kills_ = 0;
  std::size_t in_flight_total_ = 0;
  std::size_t in_flight_found_ = 0;
  std::size_t lost_ = 0;
  uint64_t bytes_dropped_ = 0;
};

} // namespace presence::crash
