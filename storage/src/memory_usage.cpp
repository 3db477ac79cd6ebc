// memory_usage: RocksDB's memory properties of an event log.
#include "presence/storage/memory_usage.hpp"

#include "rocksdb_event_log.hpp"

namespace presence::storage {

namespace detail {

result<log_memory> rocksdb_event_log::memory() const {
  log_memory figures;
  const std::pair<const std::string*, uint64_t log_memory::*> properties[] = {
    {&rocksdb::DB::Properties::kCurSizeAllMemTables, &log_memory::memtable_bytes},
    {&rocksdb::DB::Properties::kEstimateTableReadersMem, &log_memory::table_reader_bytes},
    {&rocksdb::DB::Properties::kBlockCacheUsage, &log_memory::block_cache_bytes},
  };
  for (auto* family : handles_) {
    for (const auto& [name, field] : properties) {
      uint64_t value = 0;
      if (!db_->GetIntProperty(family, *name, &value))
        return error{errc::storage_failure, "RocksDB property " + *name + " is not available"};
      figures.*field += value;
    }
  }
  return figures;
}

} // namespace detail

result<log_memory> memory_usage(const event_log& log) {
  const auto* rocks = dynamic_cast<const detail::rocksdb_event_log*>(&log);
  if (rocks == nullptr)
    return error{errc::storage_failure, "memory_usage: not a RocksDB event log"};
  return rocks->memory();
}

} // namespace presence::storage
