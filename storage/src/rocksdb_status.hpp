#pragma once

#include <string_view>

#include <rocksdb/status.h>

#include "presence/events/result.hpp"

namespace presence::storage::detail {

/// The one place where a RocksDB status becomes a `presence::error` (STYLE §3).
/// `context` says what was being done ("append", "open /path"...) and prefixes the message.
/// Mapping: no space left -> `disk_full`; the LOCK file held by another writer -> `database_busy`;
/// `Corruption` -> `corrupt_record`; anything else -> `storage_failure`. Call only with a
/// non-ok status.
presence::error to_error(const rocksdb::Status& st, std::string_view context);

/// `to_error` as a status; ok when `st` is ok.
presence::status to_status(const rocksdb::Status& st, std::string_view context);

} // namespace presence::storage::detail
