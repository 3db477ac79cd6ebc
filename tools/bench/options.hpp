#pragma once

// What each presence-bench verb is asked to do (filled from the command line in main.cpp).

#include <cstddef>
#include <cstdint>

#include "presence/storage/event_log.hpp"

namespace presence::bench {

struct bench_options {
  uint64_t users = 10'000;
  uint64_t events = 1'000'000;
  uint64_t online = 10'000;              ///< restart: users left online by the "crash"
  storage::durability sync = storage::durability::wal;
  std::size_t batch = 4096;              ///< raw and storage paths: events per WriteBatch
  std::size_t window = 20'000;           ///< engine paths: commands in flight at most
  bool engine = true;                    ///< run the engine path (false: raw + storage only)
  bool count_deliveries = false;         ///< engine ingest: subscribers on every user, count deliveries
  bool engine_only = false;              ///< ingest: skip the raw and storage paths (profiling)
  bool keep = false;                     ///< keep the scratch databases
};

} // namespace presence::bench
