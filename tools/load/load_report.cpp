// JSON lines of presence-load's results.
#include "load_report.hpp"

#include <cmath>

namespace presence::load {

namespace {

/// (after - before) / count, or null when the server's RSS was not read.
nlohmann::json per_connection(uint64_t before, uint64_t after, uint64_t count) {
  if (before == 0 || after == 0 || count == 0)
    return nullptr;
  return static_cast<int64_t>((static_cast<double>(after) - static_cast<double>(before)) /
                              static_cast<double>(count));
}

} // namespace

nlohmann::json rate_line(const run_figures& run, const rate_result& rate) {
  const double per_s = rate.seconds > 0 ? 1.0 / rate.seconds : 0.0;
  return {{"bench", "load"},
          {"phase", "rate"},
          {"connections", run.connections},
          {"subscriptions", run.subscriptions},
          {"offered_changes_per_s", rate.offered},
          {"changes_per_s", std::round(rate.sent * per_s)},
          {"acked_per_s", std::round(rate.acked * per_s)},
          {"changes_skipped", rate.skipped},
          {"deliveries_per_s", std::round(rate.deliveries * per_s)},
          {"presence_frames_per_s", std::round(rate.frames * per_s)},
          {"p50_ms", rate.p50_ms},
          {"p99_ms", rate.p99_ms},
          {"p999_ms", rate.p999_ms},
          {"latency_samples", rate.latency_samples},
          // The request's share of the latency: sent -> answered, i.e. through the server's
          // request handling and the journal's write, which the broadcast happens after.
          {"ack_p50_ms", rate.ack_p50_ms},
          {"ack_p99_ms", rate.ack_p99_ms},
          // The generator's own delay (one thread reads every connection): a frame's arrival is
          // stamped when the thread gets to it, so a busy generator inflates the latency.
          {"client_loop_lag_p99_ms", rate.loop_lag_p99_ms},
          // Deliveries that matched the change last sent for their user (the latency samples) vs
          // all: the rest are older states arriving late, or the server's own changes.
          {"matched_fraction",
           rate.deliveries == 0 ? 0.0 : std::round(1000.0 * rate.matched / rate.deliveries) / 1000.0},
          {"errors", rate.errors}};
}

nlohmann::json summary_line(const run_figures& run, const std::vector<rate_result>& rates) {
  const rate_result* best = nullptr;
  nlohmann::json all = nlohmann::json::array();
  for (const auto& rate : rates) {
    all.push_back(rate_line(run, rate));
    all.back().erase("bench");
    all.back().erase("phase");
    if (best == nullptr || rate.deliveries / std::max(rate.seconds, 1e-9) >
                             best->deliveries / std::max(best->seconds, 1e-9))
      best = &rate;
  }
  nlohmann::json line = {{"bench", "load"},
                         {"connections", run.connections},
                         {"subscriptions", run.subscriptions},
                         {"connects_per_s", std::round(run.connects_per_s)}};
  if (best != nullptr) {
    auto figures = rate_line(run, *best);
    for (const char* key : {"offered_changes_per_s", "changes_per_s", "deliveries_per_s",
                            "p50_ms", "p99_ms", "p999_ms"})
      line[key] = figures[key];
  } else {
    for (const char* key : {"deliveries_per_s", "p50_ms", "p99_ms", "p999_ms"})
      line[key] = 0;
  }
  line["server_bytes_per_connection"] =
    per_connection(run.rss_before, run.rss_idle, run.connections);
  line["server_bytes_per_subscribed_connection"] =
    per_connection(run.rss_before, run.rss_subscribed, run.connections);
  line["server_rss_before"] = run.rss_before;
  line["server_rss_idle"] = run.rss_idle;
  line["server_rss_subscribed"] = run.rss_subscribed;
  line["errors"] = run.errors;
  line["ratelimited"] = run.ratelimited;
  line["first_error"] = run.first_error;
  line["rates"] = all;
  return line;
}

} // namespace presence::load
