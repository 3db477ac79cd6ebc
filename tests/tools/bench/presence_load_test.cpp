// presence-load at a smoke size against a real presenced on 127.0.0.1: it runs, stops by itself
// and prints sane JSON lines with deliveries seen. Never a speed.
#include <string>
#include <vector>

#include "bench_runner.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"

namespace presence::test {
namespace {

const std::string load = PRESENCE_LOAD_PATH;

TEST(presence_load, smoke_run_delivers_presence_changes) {
  temp_dir dir;
  presenced_process server{dir.path(), {"--connection-limit", "0", "--rate-limit-per-s", "0",
                                        "--flush-interval-ms", "20"}};
  auto run = run_bench(load + " --port " + std::to_string(server.port()) + " --admin-token " +
                       server.admin_token() +
                       " --connections 20 --subscriptions 5 --rate 50 --duration 1 --settle 0.5"
                       " --timeout 60");
  expect_sane(run, "load", {"connections", "deliveries_per_s", "p50_ms", "p99_ms", "p999_ms",
                            "server_bytes_per_connection", "errors"});
  const auto& summary = run.lines.back();
  EXPECT_EQ(summary["connections"], 20) << summary.dump();
  EXPECT_EQ(summary["errors"], 0) << summary.dump();
  EXPECT_GT(summary["deliveries_per_s"].get<double>(), 0.0) << summary.dump();
  ASSERT_EQ(summary["rates"].size(), 1u) << summary.dump();
  EXPECT_GT(summary["rates"][0]["latency_samples"].get<double>(), 0.0) << summary.dump();
}

TEST(presence_load, sample_lines_report_the_servers_process_and_the_runs_counters) {
  temp_dir dir;
  presenced_process server{dir.path(), {"--connection-limit", "0", "--rate-limit-per-s", "0",
                                        "--flush-interval-ms", "20"}};
  auto run = run_bench(load + " --port " + std::to_string(server.port()) + " --admin-token " +
                       server.admin_token() + " --server-pid " + std::to_string(server.pid()) +
                       " --connections 20 --subscriptions 5 --rate 50 --duration 1.5 --settle 0.5"
                       " --sample-every 0.2 --timeout 60");
  expect_sane(run, "load", {"connections", "errors"});
  std::vector<nlohmann::json> samples;
  for (const auto& line : run.lines)
    if (line.value("phase", "") == "sample")
      samples.push_back(line);
  // From the start to the summary, one every 0.2 s: at least the 1.5 s of measured load.
  ASSERT_GE(samples.size(), 7u) << run.text;
  double last_t = -1;
  uint64_t last_deliveries = 0;
  bool saw_every_connection = false;
  for (const auto& sample : samples) {
    EXPECT_GT(sample["t_s"].get<double>(), last_t) << sample.dump();
    last_t = sample["t_s"].get<double>();
    EXPECT_GE(sample["deliveries"].get<uint64_t>(), last_deliveries) << sample.dump();
    last_deliveries = sample["deliveries"].get<uint64_t>();
    EXPECT_GT(sample["server_rss_bytes"].get<uint64_t>(), 1u << 20) << sample.dump();
    EXPECT_GT(sample["server_threads"].get<uint64_t>(), 1u) << sample.dump();
    EXPECT_GE(sample["server_fds"].get<uint64_t>(), sample["server_sockets"].get<uint64_t>());
    EXPECT_EQ(sample["errors"], 0) << sample.dump();
    if (sample["connections_open"] == 20) {
      // The listener and the server's end of every WebSocket connection.
      EXPECT_GE(sample["server_sockets"].get<uint64_t>(), 21u) << sample.dump();
      saw_every_connection = true;
    }
  }
  EXPECT_TRUE(saw_every_connection) << run.text;
  const auto& last = samples.back();
  EXPECT_EQ(last["load_phase"], "closing") << last.dump();
  EXPECT_GT(last["sent"].get<uint64_t>(), 0u) << last.dump();
  EXPECT_EQ(last["acked"], last["sent"]) << last.dump();
  EXPECT_GT(last["deliveries"].get<uint64_t>(), 0u) << last.dump();
}

TEST(presence_load, refuses_a_non_loopback_host) {
  auto run = run_bench(load + " --host 10.0.0.1 --port 1 --admin-token x", false);
  EXPECT_EQ(run.exit_code, 2) << run.text;
}

} // namespace
} // namespace presence::test
