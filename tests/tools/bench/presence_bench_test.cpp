// presence-bench at a smoke size: each verb runs, exits 0 and prints sane JSON lines.
#include <cstdlib>
#include <string>

#include "bench_runner.hpp"

namespace presence::test {
namespace {

const std::string bench = PRESENCE_BENCH_PATH;

TEST(presence_bench, ingest_wal_and_fsync) {
  for (const char* sync : {"wal", "fsync"}) {
    auto run = run_bench(bench + " ingest --users 50 --events 2000 --durability " + sync);
    expect_sane(run, "ingest", {"durability", "users", "events", "engine_events_per_s",
                                "raw_events_per_s", "ratio"});
    EXPECT_EQ(run.lines.back()["durability"], sync);
    EXPECT_EQ(run.lines.back()["events"], 2000);
  }
}

TEST(presence_bench, replay_with_restart) {
  auto run = run_bench(bench + " replay --users 50 --events 2000 --restart-users 500 --online 20");
  expect_sane(run, "replay", {"durability", "users", "events", "engine_events_per_s",
                              "raw_events_per_s", "ratio", "restart_ready_s"});
}

TEST(presence_bench, restart) {
  auto run = run_bench(bench + " restart --users 500 --online 20");
  // Without the engine the verb reports that instead of a figure.
  if (run.exit_code != 0 && run.text.find("engine unavailable") != std::string::npos)
    GTEST_SKIP() << "built without the engine";
  expect_sane(run, "restart", {"users", "online", "restart_ready_s"});
}

TEST(presence_bench, memory) {
  auto run = run_bench(bench + " memory --users 500");
  if (run.exit_code != 0 && run.text.find("engine unavailable") != std::string::npos)
    GTEST_SKIP() << "built without the engine";
  expect_sane(run, "memory", {"users", "bytes_per_user_actor"});
}

TEST(presence_bench, history) {
  // The verb fails when the engine's answer and the full replay differ at any instant.
  auto run = run_bench(bench + " history --events 3000 --queries 20");
  expect_sane(run, "history", {"events", "queries", "engine_p50_ms", "full_replay_p50_ms",
                               "speedup_p50"});
}

TEST(presence_bench, redis_baseline) {
  if (std::system("command -v redis-server >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh)";
  auto run = run_bench(bench + " redis --users 50 --events 2000");
  expect_sane(run, "redis", {"ours_events_per_s", "redis_events_per_s", "ratio"});
}

TEST(presence_bench, backup_stall) {
  auto run = run_bench(bench + " backup-stall --users 20 --events 2000 --seconds 1");
  expect_sane(run, "backup-stall", {"p99_ms_no_backup", "p99_ms_while_backing_up",
                                    "max_ms_while_backing_up", "backup_s", "flush_s"});
  EXPECT_EQ(run.lines.back()["earlier_events"], 2000);
  EXPECT_GT(run.lines.back()["backup_s"].get<double>(), 0.0) << "no backup was taken";
}

TEST(presence_bench, help_names_every_verb) {
  auto run = run_bench(bench + " --help", false);
  EXPECT_EQ(run.exit_code, 0);
  for (const char* verb : {"ingest", "replay", "restart", "memory", "history", "redis", "backup-stall"})
    EXPECT_NE(run.text.find(verb), std::string::npos) << verb;
}

} // namespace
} // namespace presence::test
