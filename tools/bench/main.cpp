// presence-bench: in-process benchmarks of the presence engine beside the raw RocksDB ceiling and
// a Redis baseline. Prints the command line, then one JSON object per figure, the summary last.
#include <CLI/CLI.hpp>

#include "report.hpp"
#include "verbs.hpp"

namespace {

using presence::bench::bench_options;

/// Flags every verb shares.
void add_common(CLI::App& verb, bench_options& options, std::string& durability) {
  verb.add_option("--users", options.users, "number of users")->capture_default_str();
  verb.add_option("--durability", durability, "wal or fsync")
    ->check(CLI::IsMember({"wal", "fsync"}))
    ->capture_default_str();
  verb.add_option("--batch", options.batch, "raw/storage paths: events per write batch")
    ->check(CLI::Range(1, 1 << 20))
    ->capture_default_str();
  verb.add_option("--window", options.window, "engine paths: commands in flight at most")
    ->check(CLI::Range(1, 10'000'000))
    ->capture_default_str();
  verb.add_flag("--no-engine{false}", options.engine, "skip the engine path");
  verb.add_flag("--keep", options.keep, "keep the scratch databases (their paths are printed)");
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"presence-bench: ingest, replay, restart and memory of the presence engine beside "
               "the raw RocksDB ceiling and a Redis baseline; JSON lines on stdout, summary last"};
  app.require_subcommand(1, 1);

  bench_options ingest;
  std::string ingest_sync = "wal";
  auto* ingest_cmd = app.add_subcommand("ingest", "N users' M events: engine vs raw RocksDB");
  add_common(*ingest_cmd, ingest, ingest_sync);
  ingest_cmd->add_option("--events", ingest.events, "events (commands)")->capture_default_str();
  ingest_cmd->add_flag("--engine-only", ingest.engine_only,
                       "skip the raw and storage paths (for profiling the engine)");

  bench_options replay;
  std::string replay_sync = "wal";
  uint64_t restart_users = 1'000'000;
  auto* replay_cmd = app.add_subcommand("replay", "cold rebuild of N users from M events vs a raw "
                                                  "scan; then a restart's time to ready");
  add_common(*replay_cmd, replay, replay_sync);
  replay_cmd->add_option("--events", replay.events, "events in the log")->capture_default_str();
  replay_cmd->add_option("--restart-users", restart_users, "restart case: users (0 = skip)")
    ->capture_default_str();
  replay_cmd->add_option("--online", replay.online, "restart case: users left online")
    ->capture_default_str();

  bench_options restart;
  restart.users = 1'000'000;
  std::string restart_sync = "wal";
  auto* restart_cmd =
    app.add_subcommand("restart", "time to ready on a log with N users, K left online");
  add_common(*restart_cmd, restart, restart_sync);
  restart_cmd->add_option("--online", restart.online, "users left online")->capture_default_str();

  bench_options memory;
  memory.users = 1'000'000;
  std::string memory_sync = "wal";
  auto* memory_cmd = app.add_subcommand("memory", "resident bytes per idle user actor");
  add_common(*memory_cmd, memory, memory_sync);

  bench_options redis;
  redis.events = 1'000'000;
  presence::bench::bench_options history;
  history.events = 100'000;
  uint64_t history_queries = 200;
  std::string history_sync = "wal";
  auto* history_cmd = app.add_subcommand(
    "history", "queries at past instants of one user with a long stream: engine vs full replay");
  history_cmd->add_option("--events", history.events, "events of the user")->capture_default_str();
  history_cmd->add_option("--queries", history_queries, "queries at random past instants")
    ->capture_default_str();
  history_cmd->add_option("--durability", history_sync, "wal or fsync")
    ->check(CLI::IsMember({"wal", "fsync"}))
    ->capture_default_str();
  history_cmd->add_flag("--keep", history.keep, "keep the scratch database");

  std::string redis_sync = "wal";
  auto* redis_cmd =
    app.add_subcommand("redis", "the Redis baseline (XADD+HSET+PUBLISH) beside engine ingest");
  add_common(*redis_cmd, redis, redis_sync);
  redis_cmd->add_option("--events", redis.events, "events (commands)")->capture_default_str();

  bench_options users;
  users.users = 20'000;
  std::string users_sync = "wal";
  std::string users_db;
  std::string users_tokens;
  auto* users_cmd = app.add_subcommand(
    "users", "write N users with a token each into a database (a presence-load fixture)");
  add_common(*users_cmd, users, users_sync);
  users_cmd->add_option("--db", users_db, "database directory (created)")->required();
  users_cmd->add_option("--tokens-file", users_tokens, "where to write 'id secret' lines")
    ->required();

  bench_options stall;
  stall.users = 1'000;
  stall.events = 1'000'000;
  stall.window = 64;
  std::string stall_sync = "wal";
  double stall_seconds = 8;
  auto* stall_cmd = app.add_subcommand(
    "backup-stall", "write latency through the engine during an online backup vs. without one");
  add_common(*stall_cmd, stall, stall_sync);
  stall_cmd->add_option("--events", stall.events, "earlier events in the log (what is backed up)")
    ->capture_default_str();
  stall_cmd->add_option("--seconds", stall_seconds, "length of each phase")
    ->check(CLI::Range(1.0, 3600.0))
    ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  presence::bench::emit_command_line(argc, argv);
  auto sync_of = [](const std::string& name) {
    return name == "fsync" ? presence::storage::durability::fsync
                           : presence::storage::durability::wal;
  };
  if (ingest_cmd->parsed()) {
    ingest.sync = sync_of(ingest_sync);
    return presence::bench::run_ingest(ingest);
  }
  if (replay_cmd->parsed()) {
    replay.sync = sync_of(replay_sync);
    return presence::bench::run_replay(replay, restart_users);
  }
  if (restart_cmd->parsed()) {
    restart.sync = sync_of(restart_sync);
    return presence::bench::run_restart(restart);
  }
  if (memory_cmd->parsed()) {
    memory.sync = sync_of(memory_sync);
    return presence::bench::run_memory(memory);
  }
  if (stall_cmd->parsed()) {
    stall.sync = sync_of(stall_sync);
    return presence::bench::run_backup_stall(stall, stall_seconds);
  }
  if (history_cmd->parsed()) {
    history.sync = sync_of(history_sync);
    return presence::bench::run_history(history, history_queries);
  }
  if (users_cmd->parsed())
    return presence::bench::run_users(users, users_db, users_tokens);
  redis.sync = sync_of(redis_sync);
  return presence::bench::run_redis(redis);
}
