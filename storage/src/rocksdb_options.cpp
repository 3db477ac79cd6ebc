// The event log's RocksDB options (see rocksdb_options.hpp).
#include "rocksdb_options.hpp"

#include <cstddef>
#include <memory>
#include <string>

#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/utilities/table_properties_collectors.h>

#include "keys.hpp"

namespace presence::storage::detail {

namespace {

/// Turns off RocksDB's own recovery from background errors such as a full disk. That recovery
/// polls every 5 s and waits for free space of a whole memtable budget, which a small disk may
/// never have; instead the next append calls `DB::Resume()`, which succeeds as soon as the
/// flush it needs fits (see `write_events_locked`).
class manual_error_recovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    *auto_recovery = false;
  }
};

/// Keys of the log and streams families end in an 8-byte big-endian sequence that only grows
/// within what precedes it (nothing, for the log; the stream id and 0x00, for streams). As the
/// memtable's insert-hint prefix, that leading part lets each insert start from where the last
/// one of its prefix went instead of searching the skiplist from the top.
class sequence_hint_prefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "presence.sequence_hint_prefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - 8};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

/// Options shared by every family. Tuned for an append-only, write-heavy log: large memtables
/// (fewer, bigger flushes), LZ4 on disk (cheap, and records compress well), dynamic level sizes.
/// `sequence_keys` (log, streams): keys end in a growing sequence, so inserts take the hint above.
rocksdb::ColumnFamilyOptions family_options(std::size_t write_buffer_bytes,
                                           bool sequence_keys = false) {
  rocksdb::ColumnFamilyOptions options;
  if (sequence_keys) {
    options.memtable_insert_with_hint_prefix_extractor = std::make_shared<sequence_hint_prefix>();
    // Retention deletes old records key by key: a table file where half of any 128 consecutive
    // entries are deletions is compacted on its own, so the space returns without compacting
    // the whole family at every pass.
    options.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(128, 64));
  }
  options.write_buffer_size = write_buffer_bytes;
  options.max_write_buffer_number = 4;
  options.compression = rocksdb::kLZ4Compression;
  options.level_compaction_dynamic_level_bytes = true;
  return options;
}

} // namespace

std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors() {
  constexpr std::size_t large = 64u << 20; // log and streams take every event
  constexpr std::size_t small = 4u << 20;  // the indexes and meta are tiny
  std::vector<rocksdb::ColumnFamilyDescriptor> result;
  result.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options(small));
  result.emplace_back(std::string{cf_log}, family_options(large, true));
  result.emplace_back(std::string{cf_streams}, family_options(large, true));
  result.emplace_back(std::string{cf_connections}, family_options(small));
  result.emplace_back(std::string{cf_snapshots}, family_options(small));
  result.emplace_back(std::string{cf_meta}, family_options(small));
  return result;
}

rocksdb::DBOptions db_options(const open_options& options) {
  rocksdb::DBOptions result;
  result.create_if_missing = options.mode == open_mode::read_write && options.create_if_missing;
  result.create_missing_column_families = result.create_if_missing;
  result.IncreaseParallelism(2);
  // Table readers are loaded at open on the calling thread. RocksDB's default starts 16 threads
  // for it (VersionBuilder::LoadTableHandlers), and one that fails to start on a host out of
  // threads or address space ends the process (a joinable std::thread destroyed while the
  // exception unwinds) instead of failing the open.
  result.max_file_opening_threads = 1;
  // With several families a WAL file lives until every family has flushed past it; bound it so
  // rarely written families (meta, snapshots) do not pin old WAL files forever.
  result.max_total_wal_size = 256u << 20;
  result.keep_log_file_num = 5;
  // Sequential readahead by the kernel: RocksDB advises RANDOM on every table file by default,
  // which turns it off, so rebuilding users in key order (one short scan each, a fresh iterator
  // each) waited on one 4 KiB read per block: 43 % of the loaders' time in the replay benchmark
  // (docs/performance.md). Reads here are scans of a user's stream or of the log, not point
  // lookups spread over a large database, so readahead costs little and saves most waits.
  result.advise_random_on_open = false;
  result.listeners.push_back(std::make_shared<manual_error_recovery>());
  if (options.mode == open_mode::secondary)
    result.max_open_files = -1; // required by RocksDB for secondary instances
  return result;
}

} // namespace presence::storage::detail
