#pragma once

#include <cstdint>

namespace presence::storage {

/// When an append is acknowledged. `wal`: it survives a killed process (written to the
/// write-ahead log). `fsync`: it survives power loss (the log is synced before the answer).
enum class durability : uint8_t { wal = 0, fsync = 1 };

} // namespace presence::storage
