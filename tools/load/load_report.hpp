#pragma once

// What one offered rate of a presence-load run measured, and the JSON lines that report it.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace presence::load {

/// The figures of one measured phase (one offered rate).
struct rate_result {
  double offered = 0;        ///< changes/s asked for
  double seconds = 0;        ///< length of the measured phase
  uint64_t sent = 0;         ///< changes issued
  uint64_t skipped = 0;      ///< changes not issued: over a second of them already queued
  uint64_t acked = 0;        ///< changes answered ok
  uint64_t deliveries = 0;   ///< users in presence_change frames seen during the phase
  uint64_t frames = 0;       ///< presence_change frames seen during the phase
  uint64_t matched = 0;      ///< of those, the ones showing the change last sent for their user
  double p50_ms = 0, p99_ms = 0, p999_ms = 0;
  uint64_t latency_samples = 0;
  double ack_p50_ms = 0, ack_p99_ms = 0;  ///< change sent -> its users.setPresence answer
  double loop_lag_p99_ms = 0;  ///< how late the generator's own 1 ms ticker ran (its busyness)
  uint64_t errors = 0;       ///< errors during the phase
};

/// Server memory and connection figures shared by every rate of a run.
struct run_figures {
  uint64_t connections = 0;
  std::size_t subscriptions = 0;
  double connects_per_s = 0;
  uint64_t rss_before = 0;      ///< server RSS before any connection (0 = not read)
  uint64_t rss_idle = 0;        ///< after every connection is open, nothing subscribed
  uint64_t rss_subscribed = 0;  ///< after every presence_sub
  uint64_t errors = 0;
  uint64_t ratelimited = 0;
  std::string first_error;
};

/// `{"bench":"load","phase":"rate",…}`: one line per offered rate, in the summary's format.
nlohmann::json rate_line(const run_figures& run, const rate_result& rate);

/// The run's last line: the issue's `load` summary for the rate that delivered the most, with
/// server bytes per idle connection, and every rate's figures under `rates`.
nlohmann::json summary_line(const run_figures& run, const std::vector<rate_result>& rates);

} // namespace presence::load
