#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "presence/events/result.hpp"

namespace presence::tools {

/// Exit codes of presencectl.
enum exit_code : int {
  exit_ok = 0,
  exit_faults = 1,  ///< `verify` found faults
  exit_error = 2,   ///< bad arguments, missing database, unknown user, bad import file, I/O
};

/// Options of `inspect USER [--at TIME] [--json]`.
struct inspect_options {
  std::string user;
  std::string at;  ///< TIME; empty = now
  bool json = false;
};

/// Options of `retain --before TIME | --keep-days N` (exactly one).
struct retain_options {
  std::string before;                 ///< TIME: events before it are folded and deleted
  std::optional<uint32_t> keep_days;  ///< or: keep this many days before now
};

/// Options of `history USER [--since T] [--until T] [--json]`.
struct history_options {
  std::string user;
  std::string since;  ///< TIME; empty = from the beginning
  std::string until;  ///< TIME, exclusive; empty = to the end
  bool json = false;
};

/// Options of `log [--since T --until T | --from-seq A --to-seq B] [--type TYPE] [--json]`.
struct log_options {
  std::string since;
  std::string until;
  std::optional<uint64_t> from_seq;
  std::optional<uint64_t> to_seq;
  std::string type;  ///< an event type name; empty = every type
  bool json = false;
};

/// Options of `stats [--json]`.
struct stats_options {
  bool json = false;
};

/// Options of `export [--out FILE]`.
struct export_options {
  std::string out;  ///< empty = standard output
};

/// Options of `import FILE`.
struct import_options {
  std::string file;
  std::size_t batch_size = 1000;
};

/// Options of `report USER --day YYYY-MM-DD [--json]`.
struct report_options {
  std::string user;
  std::string day;
  bool json = false;
};

/// Options of `backup --to DIR [--json]`.
struct backup_options {
  std::string to;  ///< backup directory (created if missing)
  bool json = false;
};

/// Options of `restore --from DIR [--id N] [--until TIME]` (the target is `--db`).
struct restore_options {
  std::string from;   ///< backup directory
  uint32_t id = 0;    ///< 0 = the newest backup
  std::string until;  ///< TIME, exclusive; empty = everything the backup holds
};

/// What `verify` found.
struct verify_summary {
  uint64_t faults = 0;
};

// Every verb writes its result to `out` and returns an error value on failure (printed by main,
// exit 2). None throws. Each opens the database itself: read-only verbs as a RocksDB secondary.

/// State of a user at an instant, rebuilt from the log. Errors: `unknown_user`,
/// `database_missing`, `invalid_argument` (bad TIME).
[[nodiscard]] status run_inspect(const std::string& db, const inspect_options& options,
                                 std::ostream& out);
/// The audit timeline of one stream.
[[nodiscard]] status run_history(const std::string& db, const history_options& options,
                                 std::ostream& out);
/// The global log, filtered by time or sequence range and type.
[[nodiscard]] status run_log(const std::string& db, const log_options& options, std::ostream& out);
/// Checks every record, index and snapshot; faults go to `out`, progress to stderr on a terminal.
[[nodiscard]] result<verify_summary> run_verify(const std::string& db, std::ostream& out);
/// Counts by type, streams, users, users online, size on disk.
[[nodiscard]] status run_stats(const std::string& db, const stats_options& options,
                               std::ostream& out);
/// Every event as JSON lines, oldest first, to `out` or `options.out`.
[[nodiscard]] status run_export(const std::string& db, const export_options& options,
                                std::ostream& out);
/// Validates the whole file, then appends it. Error names the line and the fault.
[[nodiscard]] status run_import(const std::string& db, const import_options& options,
                                std::ostream& out);
/// Backs up a stopped database into `options.to` (incremental after the first). Errors:
/// `database_missing`, `database_busy` (a server holds it: use its API), storage errors.
[[nodiscard]] status run_backup(const std::string& db, const backup_options& options,
                                std::ostream& out);
/// Restores a backup into `db`, which must be absent or empty; with `until`, only the events
/// before that instant (restored in a scratch directory beside `db`, then copied with their
/// sequences). Errors: `invalid_argument` (`db` not empty, bad TIME), `database_missing` (no
/// such backup), `corrupt_record` (a backup file fails its checksum), storage errors.
[[nodiscard]] status run_restore(const std::string& db, const restore_options& options,
                                 std::ostream& out);
/// Time spent in each presence value on one UTC day.
/// Folds the user-stream events before the horizon into snapshots and deletes them
/// (storage/retention.hpp) in a stopped database. Errors: `invalid_argument` (neither or both
/// options, a bad time), `database_busy` (a server holds it), storage errors.
[[nodiscard]] status run_retain(const std::string& db, const retain_options& options,
                                std::ostream& out);

[[nodiscard]] status run_report(const std::string& db, const report_options& options,
                                std::ostream& out);

} // namespace presence::tools
