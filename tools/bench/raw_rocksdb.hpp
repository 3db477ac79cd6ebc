#pragma once

// The physical ceiling: what plain RocksDB does with the same bytes, with no event log, no actors.

#include <cstdint>
#include <string>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::bench {

/// The outcome of one timed raw pass.
struct raw_figures {
  uint64_t records = 0;
  uint64_t bytes = 0;     ///< key + value bytes written or read
  double seconds = 0;
  double cpu_seconds = 0; ///< process CPU (all threads) over `seconds`
  uint64_t checksum = 0;  ///< scans: a sum over the bytes read, so the reads cannot be elided
};

/// Writes `events` (sequences taken as 1, 2, … in order) into a fresh database at `path` with
/// the event log's column families and options: per event one `log` put and one `streams` put of
/// the same encoded record, and the connection-index put/delete of connect/disconnect, `batch`
/// events per WriteBatch, `sync` = fsync durability. Encoding and key building happen before the
/// clock starts: only the RocksDB writes are timed. Errors: storage's RocksDB errors
/// (`storage_failure`, `disk_full`, `database_busy`, `corrupt_record`).
[[nodiscard]] result<raw_figures> raw_ingest(const std::string& path,
                                             const std::vector<events::event>& events,
                                             storage::durability sync, std::size_t batch);

/// Scans every record of one column family (`log` or `streams`) of the event log at `path`
/// with a plain RocksDB iterator, touching each key and value. Errors: storage's RocksDB errors
/// (`storage_failure`, `disk_full`, `database_busy`, `corrupt_record`).
[[nodiscard]] result<raw_figures> raw_scan(const std::string& path, const std::string& family);

/// Compacts every column family of the event log at `path` down to its last level and waits for
/// it, so the passes timed after it read one settled LSM shape and no compaction runs beside
/// them. `seconds` is the compaction's time. Errors: storage's RocksDB errors
/// (`storage_failure`, `disk_full`, `database_busy`, `corrupt_record`).
[[nodiscard]] result<raw_figures> raw_compact(const std::string& path);

} // namespace presence::bench
