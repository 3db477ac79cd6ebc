#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"

namespace presence::storage {

/// One backup in a backup directory. A backup directory holds any number of backups; table files
/// they share are stored once, so each backup after the first copies only what changed.
/// The functions here and `event_log::backup` are serialised within a process; another process
/// must not write to the same backup directory at the same time.
struct backup_info {
  uint32_t id = 0;                              ///< 1, 2, ... within its backup directory
  events::sequence seq = 0;                     ///< the newest sequence the backup holds
  std::chrono::system_clock::time_point created; ///< when the backup was taken (second precision)
  uint64_t bytes = 0;                           ///< size of every file the backup refers to
  std::string path;                             ///< the backup directory it lives in
};

/// Every backup in `dir`, oldest first, each opened read-only to read its newest sequence.
/// Errors: `database_missing` when `dir` holds no backup directory; `corrupt_record` /
/// `storage_failure` when a backup cannot be read.
[[nodiscard]] result<std::vector<backup_info>> list_backups(const std::string& dir);

/// Restores backup `id` (the newest when empty) of `backup_dir` into `db_dir`, which must not
/// exist or be an empty directory, after checking every file of the backup against its checksum.
/// Errors: `invalid_argument` (`db_dir` is not empty, or names a file), `database_missing` (no
/// such backup directory or backup id), `corrupt_record` (a file fails its checksum),
/// `storage_failure`.
[[nodiscard]] result<backup_info> restore_backup(const std::string& backup_dir,
                                                 std::optional<uint32_t> id,
                                                 const std::string& db_dir);

/// Deletes all but the newest `keep` backups of `dir` (and the table files only they used).
/// Errors: `invalid_argument` for `keep` 0, `database_missing`, `storage_failure`.
[[nodiscard]] status purge_backups(const std::string& dir, uint32_t keep);

} // namespace presence::storage
