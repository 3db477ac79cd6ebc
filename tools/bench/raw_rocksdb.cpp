// Plain RocksDB writes and scans with the event log's column layout (the ceiling figures).
#include "raw_rocksdb.hpp"

#include <memory>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "presence/events/codec.hpp"
#include "presence/storage/record_layout.hpp"
#include "report.hpp"
#include "rocksdb_options.hpp"
#include "rocksdb_status.hpp"

namespace presence::bench {

namespace {

namespace layout = storage::layout;

/// Positions in `storage::detail::family_descriptors()`, checked at open.
enum family_index : std::size_t { f_default, f_log, f_streams, f_connections };

/// An open database with its family handles, closed on destruction.
struct open_db {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  ~open_db() {
    for (auto* handle : handles)
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    if (db)
      db->Close().PermitUncheckedError();
  }
};

using storage::detail::to_error;

/// Opens (`create`: creates) a database at `path` with the event log's own families and options.
result<std::unique_ptr<open_db>> open_database(const std::string& path, bool create) {
  storage::open_options open;
  open.path = path;
  open.create_if_missing = create;
  auto opened = std::make_unique<open_db>();
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(storage::detail::db_options(open), path,
                              storage::detail::family_descriptors(), &opened->handles, &raw);
  if (!st.ok())
    return to_error(st, "open " + path);
  opened->db.reset(raw);
  if (opened->handles.size() <= f_connections ||
      opened->handles[f_log]->GetName() != layout::cf_log ||
      opened->handles[f_streams]->GetName() != layout::cf_streams ||
      opened->handles[f_connections]->GetName() != layout::cf_connections)
    return error{errc::storage_failure, "open " + path + ": unexpected column family order"};
  return opened;
}

/// A prepared write: the family and the key/value bytes (empty value with `erase` = a delete).
struct prepared_put {
  std::size_t family = f_log;
  std::string key;
  std::string value;
  bool erase = false;
};

std::vector<prepared_put> prepare(const std::vector<events::event>& events) {
  std::vector<prepared_put> puts;
  puts.reserve(events.size() * 2 + events.size() / 2);
  events::sequence seq = 0;
  for (const auto& ev : events) {
    ++seq;
    std::string record = events::encode(ev);
    puts.push_back({f_log, layout::log_key(seq), record, false});
    puts.push_back({f_streams, layout::stream_key(ev.stream, seq), std::move(record), false});
    if (auto* opened = std::get_if<events::connected>(&ev.body)) {
      std::string epoch;
      layout::put_u64_be(epoch, opened->epoch);
      puts.push_back({f_connections, layout::connection_key(ev.stream, opened->conn), epoch, false});
    } else if (auto* closed = std::get_if<events::disconnected>(&ev.body)) {
      puts.push_back({f_connections, layout::connection_key(ev.stream, closed->conn), {}, true});
    }
  }
  return puts;
}

} // namespace

result<raw_figures> raw_ingest(const std::string& path, const std::vector<events::event>& events,
                               storage::durability sync, std::size_t batch) {
  auto puts = prepare(events);
  auto opened = open_database(path, true);
  if (!opened)
    return opened.error();
  auto& db = **opened;
  rocksdb::WriteOptions options;
  options.sync = sync == storage::durability::fsync;
  raw_figures figures;
  rocksdb::WriteBatch write;
  std::size_t in_batch = 0;
  std::size_t next = 0;
  stopwatch clock;
  for (events::sequence seq = 1; seq <= events.size(); ++seq) {
    // The puts of one event are consecutive: a log put opens each event's group.
    do {
      const auto& put = puts[next];
      auto st = put.erase ? write.Delete(db.handles[put.family], put.key)
                          : write.Put(db.handles[put.family], put.key, put.value);
      if (!st.ok())
        return to_error(st, "build a write batch");
      figures.bytes += put.key.size() + put.value.size();
      ++next;
    } while (next < puts.size() && puts[next].family != f_log);
    if (++in_batch == batch || seq == events.size()) {
      auto st = db.db->Write(options, &write);
      if (!st.ok())
        return to_error(st, "write a batch");
      write.Clear();
      in_batch = 0;
    }
  }
  figures.seconds = clock.seconds();
  figures.cpu_seconds = clock.cpu_seconds();
  figures.records = events.size();
  return figures;
}

result<raw_figures> raw_scan(const std::string& path, const std::string& family) {
  auto opened = open_database(path, false);
  if (!opened)
    return opened.error();
  auto& db = **opened;
  std::size_t index = family == layout::cf_streams ? f_streams : f_log;
  raw_figures figures;
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  stopwatch clock;
  std::unique_ptr<rocksdb::Iterator> it{db.db->NewIterator(options, db.handles[index])};
  uint64_t checksum = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key();
    auto value = it->value();
    // Touch the bytes so the scan cannot be cheaper than a reader that looks at them.
    checksum += value.size() + (key.empty() ? 0 : static_cast<unsigned char>(key[key.size() - 1])) +
                (value.empty() ? 0 : static_cast<unsigned char>(value[0]));
    figures.bytes += key.size() + value.size();
    ++figures.records;
  }
  if (!it->status().ok())
    return to_error(it->status(), "scan " + family);
  figures.seconds = clock.seconds();
  figures.checksum = checksum;
  return figures;
}

result<raw_figures> raw_compact(const std::string& path) {
  auto opened = open_database(path, false);
  if (!opened)
    return opened.error();
  auto& db = **opened;
  raw_figures figures;
  stopwatch clock;
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* handle : db.handles)
    if (auto st = db.db->CompactRange(options, handle, nullptr, nullptr); !st.ok())
      return to_error(st, "compact " + handle->GetName());
  figures.seconds = clock.seconds();
  figures.cpu_seconds = clock.cpu_seconds();
  return figures;
}

} // namespace presence::bench
