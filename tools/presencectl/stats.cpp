// `presencectl stats [--json]`: events by type, streams, users, users online, size on disk, and
// what RocksDB holds in memory for the log (its memtables as this secondary replayed them).
#include <iomanip>
#include <map>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "database.hpp"
#include "presence/storage/memory_usage.hpp"
#include "presence/storage/recovery.hpp"
#include "progress.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;

struct database_stats {
  uint64_t events = 0;
  std::map<std::string, uint64_t> by_type;
  uint64_t streams = 0;
  uint64_t users = 0;
  uint64_t active_users = 0;
  uint64_t users_online = 0;
  uint64_t open_connections = 0;
  uint64_t disk_bytes = 0;
  storage::log_memory memory;
  uint64_t epoch = 0;
  ev::sequence last_seq = 0;
  bool service_enabled = true;
};

void print_text(const database_stats& stats, std::ostream& out) {
  const auto row = [&out](const std::string& label) -> std::ostream& {
    return out << std::left << std::setw(20) << label;
  };
  row("events") << stats.events << '\n';
  for (const auto& [type, count] : stats.by_type)
    row("  " + type) << count << '\n';
  row("last seq") << stats.last_seq << '\n';
  row("streams") << stats.streams << '\n';
  row("users") << stats.users << " (" << stats.active_users << " active)\n";
  row("users online") << stats.users_online << " (" << stats.open_connections
                      << " open connections)\n";
  row("service") << (stats.service_enabled ? "enabled" : "disabled") << '\n';
  row("epoch") << stats.epoch << '\n';
  row("size on disk") << stats.disk_bytes << " bytes\n";
  row("memtables") << stats.memory.memtable_bytes << " bytes (not yet flushed)\n";
}

void print_json(const database_stats& stats, std::ostream& out) {
  nlohmann::ordered_json json = {{"events", stats.events},
                                 {"by_type", stats.by_type},
                                 {"last_seq", stats.last_seq},
                                 {"streams", stats.streams},
                                 {"users", stats.users},
                                 {"active_users", stats.active_users},
                                 {"users_online", stats.users_online},
                                 {"open_connections", stats.open_connections},
                                 {"service_enabled", stats.service_enabled},
                                 {"epoch", stats.epoch},
                                 {"disk_bytes", stats.disk_bytes},
                                 {"memtable_bytes", stats.memory.memtable_bytes},
                                 {"table_reader_bytes", stats.memory.table_reader_bytes},
                                 {"block_cache_bytes", stats.memory.block_cache_bytes}};
  out << json.dump(2) << '\n';
}

} // namespace

status run_stats(const std::string& db, const stats_options& options, std::ostream& out) {
  auto log = open_for_reading(db);
  if (!log)
    return log.error();
  database_stats stats;
  stats.last_seq = (*log)->last_sequence();
  std::set<std::string> streams;
  progress shown("stats", stats.last_seq);
  auto scanned = (*log)->read_range(1, stats.last_seq, [&](const ev::event& event) {
    ++stats.events;
    ++stats.by_type[std::string(ev::to_string(ev::type_of(event.body)))];
    if (streams.count(event.stream) == 0)
      streams.insert(event.stream);
    shown.tick();
    return true;
  });
  if (!scanned.ok())
    return scanned;
  stats.streams = streams.size();
  auto workspace = storage::replay_workspace(**log);
  if (!workspace)
    return workspace.error();
  stats.users = workspace->users.size();
  for (const auto& [id, user] : workspace->users)
    stats.active_users += user.active ? 1 : 0;
  stats.service_enabled = workspace->service_enabled;
  stats.epoch = workspace->epoch;
  auto connections = (*log)->open_connections();
  if (!connections)
    return connections.error();
  std::set<std::string> online;
  for (const auto& conn : *connections)
    online.insert(conn.user);
  stats.open_connections = connections->size();
  stats.users_online = online.size();
  stats.disk_bytes = (*log)->disk_size();
  auto memory = storage::memory_usage(**log);
  if (!memory)
    return memory.error();
  stats.memory = *memory;
  if (options.json)
    print_json(stats, out);
  else
    print_text(stats, out);
  return status::success();
}

} // namespace presence::tools
