// presence-load at a smoke size against a real presenced on 127.0.0.1: it runs, stops by itself
// and prints sane JSON lines with deliveries seen. Never a speed.
#include <string>

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

TEST(presence_load, refuses_a_non_loopback_host) {
  auto run = run_bench(load + " --host 10.0.0.1 --port 1 --admin-token x", false);
  EXPECT_EQ(run.exit_code, 2) << run.text;
}

} // namespace
} // namespace presence::test
