// The connection index and the snapshots family.
#include <string>

#include "keys.hpp"
#include "rocksdb_event_log.hpp"
#include "rocksdb_status.hpp"

namespace presence::storage::detail {

namespace {

/// Every entry of the connection index whose epoch passes `keep`.
template <class Predicate>
result<std::vector<open_connection>>
scan_connections(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const Predicate& keep) {
  std::vector<open_connection> found;
  std::unique_ptr<rocksdb::Iterator> it{db.NewIterator(rocksdb::ReadOptions{}, family)};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto key = it->key().ToStringView();
    auto separator = key.find('\0');
    if (separator == std::string_view::npos || separator == 0)
      return corrupt_error(cf_connections, key, "key is not user, 0x00, connection");
    auto epoch = get_u64_be(it->value().ToStringView());
    if (!epoch)
      return corrupt_error(cf_connections, key, "value is not an 8-byte epoch");
    if (!keep(*epoch))
      continue;
    open_connection entry;
    entry.user = std::string{key.substr(0, separator)};
    entry.conn = std::string{key.substr(separator + 1)};
    entry.epoch = *epoch;
    found.push_back(std::move(entry));
  }
  if (auto checked = to_status(it->status(), "scan the connection index"); !checked)
    return checked.error();
  return found;
}

} // namespace

result<std::vector<open_connection>> rocksdb_event_log::open_connections() const {
  return scan_connections(*db_, handle(cf::connections), [](uint64_t) { return true; });
}

result<std::vector<open_connection>>
rocksdb_event_log::stale_connections(uint64_t current_epoch) const {
  return scan_connections(*db_, handle(cf::connections),
                          [current_epoch](uint64_t epoch) { return epoch < current_epoch; });
}

status rocksdb_event_log::put_snapshot_value(const std::string& key, const snapshot_record& snap,
                                             std::string_view what) {
  if (auto writable = check_writable(what); !writable)
    return writable;
  std::string value;
  value.reserve(8 + snap.bytes.size());
  put_u64_be(value, snap.seq);
  value.append(snap.bytes);
  rocksdb::WriteOptions options;
  options.sync = options_.sync == durability::fsync;
  auto st = db_->Put(options, handle(cf::snapshots), key, value);
  if (st.ok())
    return status::success();
  // Like a failed append, this may leave RocksDB in its background-error state.
  std::lock_guard<std::mutex> guard{append_mutex_};
  needs_resume_ = true;
  return to_error(st, std::string{what} + " " + to_hex(key));
}

status rocksdb_event_log::put_snapshot(std::string_view stream, const snapshot_record& snap) {
  if (stream.empty())
    return error{errc::invalid_argument, "put_snapshot: empty stream"};
  return put_snapshot_value(std::string{stream}, snap, "put_snapshot");
}

status rocksdb_event_log::put_checkpoint(std::string_view stream, const snapshot_record& snap) {
  if (stream.empty())
    return error{errc::invalid_argument, "put_checkpoint: empty stream"};
  return put_snapshot_value(stream_key(stream, snap.seq), snap, "put_checkpoint");
}

result<std::optional<snapshot_record>>
rocksdb_event_log::find_checkpoint(std::string_view stream, sequence at_most) const {
  const std::string target = stream_key(stream, at_most);
  const std::string lower = stream_key(stream, 0);
  rocksdb::Slice lower_slice{lower};
  rocksdb::ReadOptions read;
  read.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(read, handle(cf::snapshots))};
  it->SeekForPrev(target);
  if (!it->Valid()) {
    if (auto checked = to_status(it->status(), "find a checkpoint of " + std::string{stream});
        !checked)
      return checked.error();
    return std::optional<snapshot_record>{};
  }
  auto key = it->key().ToStringView();
  // The bound keeps other streams out; a key of this stream is stream, 0x00, 8-byte sequence.
  if (key.size() != stream.size() + 9)
    return corrupt_error(cf_snapshots, key, "checkpoint key is not stream, 0x00, 8-byte sequence");
  auto value = it->value().ToStringView();
  if (value.size() < 8)
    return corrupt_error(cf_snapshots, key, "value is shorter than its 8-byte sequence");
  snapshot_record snap;
  snap.seq = *get_u64_be(value.substr(0, 8));
  snap.bytes = std::string{value.substr(8)};
  return std::optional<snapshot_record>{std::move(snap)};
}

result<std::optional<snapshot_record>>
rocksdb_event_log::get_snapshot(std::string_view stream) const {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, handle(cf::snapshots), stream, &value);
  if (st.IsNotFound())
    return std::optional<snapshot_record>{};
  if (!st.ok())
    return to_error(st, "get_snapshot " + std::string{stream});
  if (value.size() < 8)
    return corrupt_error(cf_snapshots, stream, "value is shorter than its 8-byte sequence");
  snapshot_record snap;
  snap.seq = *get_u64_be(std::string_view{value}.substr(0, 8));
  snap.bytes = value.substr(8);
  return std::optional<snapshot_record>{std::move(snap)};
}

} // namespace presence::storage::detail
