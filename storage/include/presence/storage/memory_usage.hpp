#pragma once

// What RocksDB holds in memory for one event log: for soak campaigns, which must tell memory
// that grows by design (memtables fill until a flush) from memory that leaks.

#include <cstdint>

#include "presence/events/result.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage {

/// Memory RocksDB holds for a log, summed over its column families (RocksDB properties).
struct log_memory {
  /// `rocksdb.cur-size-all-mem-tables`: the active memtables and the immutable ones not yet
  /// flushed. Bounded by each family's write_buffer_size × max_write_buffer_number.
  uint64_t memtable_bytes = 0;
  /// `rocksdb.estimate-table-readers-mem`: index and filter blocks held outside the block cache.
  uint64_t table_reader_bytes = 0;
  /// `rocksdb.block-cache-usage`, summed over the families (each has its own cache here).
  uint64_t block_cache_bytes = 0;
};

/// Reads `log`'s memory figures; thread-safe (RocksDB properties). For a secondary
/// (`open_mode::secondary`) the memtables are those its catch-up replayed from the primary's WAL —
/// the data the primary has not flushed yet, with the same options — so they approximate the
/// primary's. Error: `storage_failure` when `log` is not a RocksDB log or a property is missing.
[[nodiscard]] result<log_memory> memory_usage(const event_log& log);

} // namespace presence::storage
