#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "presence/storage/event_log.hpp"
#include "presence/storage/memory_usage.hpp"

namespace presence::storage::detail {

/// Column families in the order they are opened; `cf::default_family` is RocksDB's own.
enum class cf : std::size_t { default_family, log, streams, connections, snapshots, meta };
inline constexpr std::size_t cf_count = 6;

/// The RocksDB implementation of `event_log` (private to the storage module).
///
/// Files by concern: `rocksdb_event_log_open.cpp` (open, meta, close, maintenance),
/// `rocksdb_event_log_retention.cpp` (the retention mark, trimming streams and the log),
/// `rocksdb_event_log_append.cpp` (writes and epochs), `rocksdb_event_log_read.cpp` (scans),
/// `rocksdb_event_log_index.cpp` (snapshots and the connection index), `rocksdb_backup.cpp`
/// (backups and restore).
class rocksdb_event_log final : public event_log {
 public:
  /// Opens the database as `options` says; see `event_log::open`.
  [[nodiscard]] static result<std::unique_ptr<event_log>>
  open_database(const open_options& options);

  ~rocksdb_event_log() override;
  rocksdb_event_log(const rocksdb_event_log&) = delete;
  rocksdb_event_log& operator=(const rocksdb_event_log&) = delete;

  result<sequence> append(std::vector<event>& batch) override;
  status append_exact(const std::vector<event>& batch) override;
  status read_stream(std::string_view stream, sequence from,
                     const event_visitor& visit) const override;
  status read_range(sequence from, sequence to, const event_visitor& visit) const override;
  status read_time_range(timestamp_us since, timestamp_us until,
                         const event_visitor& visit) const override;
  status scan_raw(std::string_view column_family,
                  const std::function<bool(const raw_record&)>& visit) const override;
  result<std::vector<open_connection>> open_connections() const override;
  result<std::vector<open_connection>> stale_connections(uint64_t current_epoch) const override;
  status put_snapshot(std::string_view stream, const snapshot_record& snap) override;
  result<std::optional<snapshot_record>> get_snapshot(std::string_view stream) const override;
  status put_checkpoint(std::string_view stream, const snapshot_record& snap) override;
  result<std::optional<snapshot_record>> find_checkpoint(std::string_view stream,
                                                         sequence at_most) const override;
  result<sequence> first_sequence_at(timestamp_us ts) const override;
  retention_mark retained() const override;
  status set_retained(const retention_mark& mark) override;
  status trim_stream(std::string_view stream, sequence cutoff, const snapshot_record& base) override;
  status trim_log(sequence cutoff, const std::vector<sequence>& keep) override;
  status list_streams(const std::function<bool(std::string_view)>& visit) const override;
  result<uint64_t> start_epoch(timestamp_us now) override;
  uint64_t current_epoch() const override;
  sequence last_sequence() const override;
  status catch_up() override;
  uint64_t disk_size() const override;
  status flush() override;
  const open_options& options() const override;
  result<backup_info> backup(const std::string& dir) override;

  /// RocksDB's memory properties summed over the families (see `storage::memory_usage`).
  [[nodiscard]] result<log_memory> memory() const;

 private:
  using handle_array = std::array<rocksdb::ColumnFamilyHandle*, cf_count>;

  rocksdb_event_log(open_options options, std::unique_ptr<rocksdb::DB> db, handle_array handles,
                    std::string owned_secondary_dir);

  rocksdb::ColumnFamilyHandle* handle(cf family) const {
    return handles_[static_cast<std::size_t>(family)];
  }

  /// Checks the schema version (writing it on creation) and loads the epoch and the retention
  /// mark.
  status load_meta();
  /// Loads the retention mark from `meta` (none: everything kept).
  status load_retained();
  /// Reads the newest sequence (and, for a writer, its timestamp) from the end of `log`.
  status load_log_tail();
  /// Writes `value` at `key` of the snapshots family (`what` names it in errors).
  status put_snapshot_value(const std::string& key, const snapshot_record& snap,
                            std::string_view what);
  /// `read_only` unless opened for writing.
  status check_writable(std::string_view what) const;
  /// Writes `batch` (final sequences and timestamps) in one WriteBatch and publishes the new
  /// log tail. Caller holds `append_mutex_`.
  status write_events_locked(const std::vector<event>& batch);

  open_options options_;
  std::unique_ptr<rocksdb::DB> db_;
  handle_array handles_;            ///< owned; destroyed before `db_` closes
  std::string owned_secondary_dir_; ///< a temporary secondary directory removed on close

  std::mutex append_mutex_;   ///< serialises writers; guards `needs_resume_`
  bool needs_resume_ = false; ///< a write failed: RocksDB may hold a background error
  std::atomic<sequence> last_seq_{0};
  std::atomic<timestamp_us> last_ts_{0};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<sequence> retained_from_{1};
  std::atomic<timestamp_us> retained_since_{0};
};

/// Decodes one stored record; a failure becomes `corrupt_record` naming the column family and
/// the key in hex.
[[nodiscard]] result<event> decode_record(std::string_view column_family, std::string_view key,
                                          std::string_view value, sequence seq);
/// The same into `out` (reused across a scan: see events::decode_into).
[[nodiscard]] status decode_record_into(std::string_view column_family, std::string_view key,
                                        std::string_view value, sequence seq, event& out);

/// `corrupt_record` naming the column family, the key in hex and what is wrong.
presence::error corrupt_error(std::string_view column_family, std::string_view key,
                              std::string_view what);

} // namespace presence::storage::detail
