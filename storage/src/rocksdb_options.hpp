#pragma once

// The RocksDB shape of the event log: its column families with their options, and the database
// options. Private to storage; the raw RocksDB benchmark (tools/bench) opens its databases with
// the same functions through the `presence_storage_internal` target, so the ceiling it measures
// is the event log's own on-disk shape.

#include <vector>

#include <rocksdb/db.h>  // ColumnFamilyDescriptor
#include <rocksdb/options.h>

#include "presence/storage/event_log.hpp"

namespace presence::storage::detail {

/// The event log's column families, in this order: default, `log`, `streams`, `connections`,
/// `snapshots`, `meta` (names from `presence/storage/record_layout.hpp`). Tuned for an
/// append-only, write-heavy log: 64 MiB memtables for `log` and `streams` (which take every
/// event, and whose inserts use a memtable hint on the growing sequence that ends their keys),
/// 4 MiB for the rest, LZ4 on disk, dynamic level sizes.
std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors();

/// The database options for `options.mode` and `options.create_if_missing` (the other fields
/// are not read): two background threads, one table-loading thread, a bounded WAL, kernel
/// readahead, and RocksDB's own recovery from background errors turned off (the next append
/// resumes the database instead).
rocksdb::DBOptions db_options(const open_options& options);

} // namespace presence::storage::detail
