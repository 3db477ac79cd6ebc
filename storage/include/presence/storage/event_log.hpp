#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"
#include "presence/storage/backup.hpp"
#include "presence/storage/durability.hpp"

namespace presence::storage {

using events::event;
using events::sequence;
using events::timestamp_us;

/// How the database is opened.
enum class open_mode : uint8_t {
  read_write, ///< the one writer (server or import); starts nothing by itself
  read_only,  ///< a consistent view of what was flushed when opened; fails if missing
  secondary,  ///< follows a live writer (RocksDB secondary); `catch_up()` refreshes the view
};

struct open_options {
  std::string path; ///< database directory
  open_mode mode = open_mode::read_write;
  durability sync = durability::wal;
  bool create_if_missing = true; ///< read_write only
  std::string secondary_path;    ///< secondary only; empty = a fresh temporary directory
};

/// The schema version this build writes. Opening a database with a higher one fails with
/// `unsupported_version`.
inline constexpr uint32_t schema_version = 1;

/// An open connection recorded in the connection index.
struct open_connection {
  std::string user;
  std::string conn;
  uint64_t epoch = 0;
};

/// A stored snapshot of one stream: the encoded state and the newest sequence it covers.
struct snapshot_record {
  sequence seq = 0;
  std::string bytes; ///< `events::encode_snapshot` output
};

/// Where the retained history begins (storage/retention.hpp): the events of user streams with a
/// sequence below `from` (all older than `since`) were folded into one checkpoint per stream, the
/// stream's base, and deleted; the workspace stream is kept whole. `from` = 1: everything kept.
struct retention_mark {
  sequence from = 1;
  timestamp_us since = 0;  ///< the horizon: µs since the epoch
  bool trimmed() const noexcept { return from > 1; }
};

/// A raw record of the global log, for tools that must show what could not be decoded.
struct raw_record {
  std::string column_family;
  std::string key;   ///< raw key bytes
  std::string value; ///< raw value bytes
};

/// Receives events in order; return false to stop early. The event is valid only during the call
/// (a scan decodes every record into the same object): copy what you keep.
using event_visitor = std::function<bool(const event&)>;

/// The append-only RocksDB event log (docs/design.md §3). Column families: `log` (seq → record),
/// `streams` (stream, 0x00, seq → record), `connections` (user, 0x00, conn → epoch),
/// `snapshots` (stream → seq + state, and the checkpoints: stream, 0x00, seq → seq + state),
/// `meta` (schema version, epoch).
///
/// Thread safety: appends are serialised internally (one writer); reads may run concurrently with
/// appends from any thread. All functions are blocking I/O: call them from a detached actor or a
/// tool, never from the shared CAF scheduler.
class event_log {
 public:
  virtual ~event_log() = default;

  /// Opens (or creates) a database. Errors: `database_missing`, `database_busy` (another writer),
  /// `unsupported_version` (newer schema), `corrupt_record`, `storage_failure`.
  /// `database_missing` when the directory holds no database and the mode is read_only or
  /// secondary, or create_if_missing is false; `invalid_argument` for an empty path;
  /// `corrupt_record` for damaged `meta` values and, for read_write only, a newest log record
  /// that does not decode (a writer needs its timestamp; tools can still open and list it).
  [[nodiscard]] static result<std::unique_ptr<event_log>> open(const open_options& options);

  /// Appends all of `batch` in one atomic write, or nothing. Assigns consecutive sequences to each
  /// event's `seq` (in place) and returns the first one. Timestamps are clamped so the global log
  /// is non-decreasing in time. Maintains the stream log and the connection index. Errors:
  /// `read_only`, `disk_full`, `storage_failure` (nothing of the batch is then visible, and the
  /// sequences are not consumed), `invalid_argument` (an event with an empty stream or a NUL
  /// byte in it). If the write fails, each `seq` is reset to 0 and each `ts` restored. An empty
  /// batch writes nothing and returns 0. After a failed write the next append first resumes
  /// RocksDB from its background-error state, so the log recovers once disk space returns.
  [[nodiscard]] virtual result<sequence> append(std::vector<event>& batch) = 0;

  /// Like `append`, but keeps the caller's sequences and timestamps, which must continue the log
  /// exactly (first = last_sequence()+1, consecutive, timestamps non-decreasing); else
  /// `out_of_order`. For `presencectl import`.
  [[nodiscard]] virtual status append_exact(const std::vector<event>& batch) = 0;

  /// Visits the events of one stream with seq >= `from`, in order. A record that does not decode
  /// stops the scan with `corrupt_record` naming its key.
  [[nodiscard]] virtual status read_stream(std::string_view stream, sequence from,
                                           const event_visitor& visit) const = 0;

  /// Visits the global log with `from` <= seq <= `to`, in order.
  [[nodiscard]] virtual status read_range(sequence from, sequence to,
                                          const event_visitor& visit) const = 0;

  /// Visits the global log with `since` <= ts < `until`, in order (binary search on the
  /// time-ordered log, then a scan).
  [[nodiscard]] virtual status read_time_range(timestamp_us since, timestamp_us until,
                                               const event_visitor& visit) const = 0;

  /// Every raw record of one column family ("log", "streams", "connections", "snapshots", "meta"),
  /// undecoded, for `verify`. Return false from `visit` to stop. `invalid_argument` for an
  /// unknown family name.
  [[nodiscard]] virtual status
  scan_raw(std::string_view column_family,
           const std::function<bool(const raw_record&)>& visit) const = 0;

  /// The connection index: every connection whose `connected` has no `disconnected` yet.
  [[nodiscard]] virtual result<std::vector<open_connection>> open_connections() const = 0;

  /// Open connections whose epoch is older than `current_epoch`, i.e. left open by a crash.
  /// Cost: O(open connections), not O(users).
  [[nodiscard]] virtual result<std::vector<open_connection>>
  stale_connections(uint64_t current_epoch) const = 0;

  /// Stores a snapshot of `stream` covering events up to `snap.seq`. Replaces an older one.
  [[nodiscard]] virtual status put_snapshot(std::string_view stream,
                                            const snapshot_record& snap) = 0;
  /// The stored snapshot of `stream`, or nullopt.
  [[nodiscard]] virtual result<std::optional<snapshot_record>>
  get_snapshot(std::string_view stream) const = 0;

  /// Stores a checkpoint of `stream`: its state as of `snap.seq`, kept beside older ones (a
  /// snapshot is replaced; checkpoints are what a read of a past instant starts from). Errors:
  /// `read_only`, `invalid_argument` (empty stream), `disk_full`, `storage_failure`.
  [[nodiscard]] virtual status put_checkpoint(std::string_view stream,
                                              const snapshot_record& snap) = 0;
  /// The newest checkpoint of `stream` whose seq is at most `at_most`, or nullopt.
  [[nodiscard]] virtual result<std::optional<snapshot_record>>
  find_checkpoint(std::string_view stream, sequence at_most) const = 0;
  /// The first stored sequence of the global log whose timestamp is at least `ts`
  /// (`last_sequence() + 1` when none): every sequence below it is at most as old as `ts - 1`.
  /// Binary search on the time-ordered log.
  [[nodiscard]] virtual result<sequence> first_sequence_at(timestamp_us ts) const = 0;

  // --- retention (storage/retention.hpp drives these) -----------------------------------------
  /// Where the retained history begins (`from` = 1 while everything is kept).
  virtual retention_mark retained() const = 0;
  /// Records `mark` in `meta` (durably) before anything is deleted. Errors: `read_only`,
  /// `invalid_argument` (a mark older than the current one), `disk_full`, `storage_failure`.
  [[nodiscard]] virtual status set_retained(const retention_mark& mark) = 0;
  /// Stores `base` (the stream's state after its last event below `cutoff`) as a checkpoint and
  /// deletes the older ones in one atomic write, then deletes the records of user stream
  /// `stream` with a sequence below `cutoff`. Errors: `read_only`, `invalid_argument`
  /// (the workspace stream, an empty one, a base at or after `cutoff`), `disk_full`,
  /// `storage_failure`.
  [[nodiscard]] virtual status trim_stream(std::string_view stream, sequence cutoff,
                                           const snapshot_record& base) = 0;
  /// Deletes the `log` records below `cutoff` except the sequences in `keep` (sorted: the
  /// workspace stream's), then compacts that part of the log so the space returns (deleted
  /// stream records go with RocksDB's own compactions of files full of deletions). Errors: `read_only`, `disk_full`, `storage_failure`.
  [[nodiscard]] virtual status trim_log(sequence cutoff, const std::vector<sequence>& keep) = 0;
  /// Visits the name of every stream of the `streams` family, in key order (one seek per
  /// stream); return false to stop.
  [[nodiscard]] virtual status
  list_streams(const std::function<bool(std::string_view)>& visit) const = 0;

  /// Appends `epoch_started` to the workspace stream with the next epoch number, records it in
  /// `meta`, and returns it. Call once per server start, before accepting connections.
  [[nodiscard]] virtual result<uint64_t> start_epoch(timestamp_us now) = 0;
  /// The newest epoch (0 before the first start).
  virtual uint64_t current_epoch() const = 0;

  /// The newest assigned sequence (0 when empty).
  virtual sequence last_sequence() const = 0;

  /// Secondary mode: catch up with the primary's newest writes. No-op otherwise.
  [[nodiscard]] virtual status catch_up() = 0;

  /// Approximate size on disk in bytes (all column families).
  virtual uint64_t disk_size() const = 0;

  /// Flushes memtables and the WAL to disk (clean shutdown).
  [[nodiscard]] virtual status flush() = 0;

  /// Takes a consistent backup of the open database into the backup directory `dir` (created if
  /// missing; see `storage/backup.hpp`) while appends go on. The backup holds every event whose
  /// append returned before the call began, and possibly some appended during it: `seq` of the
  /// result is the newest it holds, read back from the backup itself. Appends are never held
  /// back: the memtables are flushed (a new memtable takes writes meanwhile), then files that
  /// RocksDB no longer changes are copied; table files already in `dir` from an earlier backup
  /// are not copied again. Errors: `read_only` (not the writer),
  /// `invalid_argument` (empty `dir`), `disk_full`, `storage_failure`.
  [[nodiscard]] virtual result<backup_info> backup(const std::string& dir) = 0;

  /// The options this log was opened with.
  virtual const open_options& options() const = 0;
};

} // namespace presence::storage
