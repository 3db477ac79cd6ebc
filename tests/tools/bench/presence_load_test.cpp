// presence-load at a smoke size against a real presenced on 127.0.0.1: it runs, stops by itself
// and prints sane JSON lines with deliveries seen. Never a speed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_runner.hpp"
#include "support/etcd_process.hpp"
#include "support/http_client.hpp"
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
  auto nodes = run_bench(load + " --nodes 127.0.0.1:1,10.0.0.1:1 --admin-token x", false);
  EXPECT_EQ(nodes.exit_code, 2) << nodes.text;
}

/// /readyz of `node` answers 200 within 20 s (a cluster node turns ready once it joined).
bool await_ready(const presenced_process& node) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    http_client http{node.host(), node.port()};
    if (http.get("/readyz").status == 200)
      return true;
  }
  return false;
}

TEST(presence_load, drives_a_cluster_through_every_node_past_its_barriers) {
  temp_dir dir;
  etcd_process etcd;
  std::vector<std::unique_ptr<presenced_process>> nodes;
  for (const char* id : {"n1", "n2"})
    nodes.push_back(std::make_unique<presenced_process>(
      dir.sub(id),
      std::vector<std::string>{"--cluster-etcd", etcd.url(), "--node-id", id, "--cluster-nodes",
                               "n1,n2", "--partitions", "8", "--connection-limit", "0",
                               "--rate-limit-per-s", "0", "--flush-interval-ms", "20"}));
  for (const auto& node : nodes)
    ASSERT_TRUE(await_ready(*node)) << node->stderr_text();
  // The barrier files exist already: the run prints both barrier lines and goes straight on.
  const std::string barriers = dir.sub("barriers");
  std::filesystem::create_directories(barriers);
  std::ofstream{barriers + "/connect"};
  std::ofstream{barriers + "/measure"};
  // The users c100…c119, created here on the node each will connect to, reach presence-load
  // through a tokens file once their tokens authenticate on both nodes: a token can be refused
  // (invalid_auth) on a node for a moment after admin.users.create answered.
  const std::string tokens = dir.sub("tokens");
  {
    std::ofstream out{tokens};
    for (int n = 100; n < 120; ++n) {
      const std::string id = "c" + std::to_string(n);
      http_client http{nodes[n % 2]->host(), nodes[n % 2]->port()};
      auto created = http.post_json("/api/admin.users.create", {{"id", id}, {"name", id}},
                                    {{"Authorization", "Bearer " + nodes[0]->admin_token()}});
      const std::string token = created.json().value("token", "");
      ASSERT_FALSE(token.empty()) << created.body;
      for (const auto& node : nodes) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        bool known = false;
        while (!known && std::chrono::steady_clock::now() < deadline) {
          http_client check{node->host(), node->port()};
          known = check
                    .post_json("/api/auth.test", nlohmann::json::object(),
                               {{"Authorization", "Bearer " + token}})
                    .json()
                    .value("ok", false);
        }
        ASSERT_TRUE(known) << id << " on port " << node->port();
      }
      out << id << ' ' << token << '\n';
    }
  }
  auto run =
    run_bench(load + " --nodes " + nodes[0]->host() + ":" + std::to_string(nodes[0]->port()) + "," +
              nodes[1]->host() + ":" + std::to_string(nodes[1]->port()) + " --admin-token " +
              nodes[0]->admin_token() + " --tokens-file " + tokens +
              " --first-user 100 --rtm-connect --barrier-dir " + barriers +
              " --connections 20 --subscriptions 5 --rate 50 --duration 1 --settle 0.5"
              " --timeout 60");
  expect_sane(run, "load", {"connections", "deliveries_per_s", "errors"});
  std::vector<std::string> waited;
  for (const auto& line : run.lines)
    if (line.value("phase", "") == "barrier")
      waited.push_back(line.value("name", ""));
  EXPECT_EQ(waited, (std::vector<std::string>{"connect", "measure"})) << run.text;
  const auto& summary = run.lines.back();
  EXPECT_EQ(summary["connections"], 20) << summary.dump();
  EXPECT_EQ(summary["errors"], 0) << summary.dump();
  EXPECT_GT(summary["rates"][0]["latency_samples"].get<double>(), 0.0) << summary.dump();
}

} // namespace
} // namespace presence::test
