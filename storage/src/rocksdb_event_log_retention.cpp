// Retention: the mark of where the retained history begins, trimming a user stream down to its
// base checkpoint, and trimming the global log.
#include <string>

#include <rocksdb/write_batch.h>

#include "keys.hpp"
#include "rocksdb_event_log.hpp"
#include "rocksdb_status.hpp"

namespace presence::storage::detail {

namespace {

std::string encode_mark(const retention_mark& mark) {
  std::string out;
  put_u64_be(out, mark.from);
  put_u64_be(out, static_cast<uint64_t>(mark.since));
  return out;
}

} // namespace

status rocksdb_event_log::load_retained() {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, handle(cf::meta), meta_retained, &value);
  if (st.IsNotFound()) {
    retained_from_.store(1);
    retained_since_.store(0);
    return status::success();
  }
  if (!st.ok())
    return to_error(st, "read the retention mark");
  auto from = value.size() == 16 ? get_u64_be(std::string_view{value}.substr(0, 8)) : std::nullopt;
  auto since = value.size() == 16 ? get_u64_be(std::string_view{value}.substr(8)) : std::nullopt;
  if (!from || !since || *from == 0)
    return corrupt_error(cf_meta, meta_retained, "retention mark is not two 8-byte numbers");
  retained_from_.store(*from);
  retained_since_.store(static_cast<timestamp_us>(*since));
  return status::success();
}

retention_mark rocksdb_event_log::retained() const {
  return {retained_from_.load(), retained_since_.load()};
}

status rocksdb_event_log::set_retained(const retention_mark& mark) {
  if (auto writable = check_writable("set_retained"); !writable)
    return writable;
  if (mark.from < retained_from_.load() || mark.from == 0)
    return error{errc::invalid_argument, "set_retained: the retained history cannot grow back"};
  rocksdb::WriteOptions options;
  options.sync = true;
  if (auto put = to_status(db_->Put(options, handle(cf::meta), meta_retained, encode_mark(mark)),
                           "write the retention mark");
      !put)
    return put;
  retained_since_.store(mark.since);
  retained_from_.store(mark.from);
  return status::success();
}

namespace {

/// Deletes, a batch of at most 10,000 at a time, the keys of `family` in [lower, upper) that
/// `drop` accepts (given the key and the value). Point deletes, not `DeleteRange`: the log and
/// streams families insert with a memtable hint per key prefix, and RocksDB 7.8 uses the same
/// hints for the range-deletion table, where a hint from the point table breaks its skiplist
/// (`InlineSkipList::Insert` asserts `recompute_height <= max_height`).
template <class Drop>
status delete_keys(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const std::string& lower,
                   const std::string& upper, const Drop& drop, durability sync) {
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it{db.NewIterator(read, family)};
  rocksdb::WriteOptions options;
  options.sync = sync == durability::fsync;
  rocksdb::WriteBatch write;
  auto flush = [&]() -> status {
    if (write.Count() == 0)
      return status::success();
    auto st = to_status(db.Write(options, &write), "delete retained records");
    write.Clear();
    return st;
  };
  for (it->Seek(lower); it->Valid(); it->Next()) {
    if (!drop(it->key().ToStringView(), it->value().ToStringView()))
      continue;
    if (!write.Delete(family, it->key()).ok())
      return error{errc::storage_failure, "delete retained records: cannot build the batch"};
    if (write.Count() >= 10'000)
      if (auto written = flush(); !written)
        return written;
  }
  if (auto checked = to_status(it->status(), "scan retained records"); !checked)
    return checked;
  return flush();
}

} // namespace

status rocksdb_event_log::trim_stream(std::string_view stream, sequence cutoff,
                                      const snapshot_record& base) {
  if (auto writable = check_writable("trim_stream"); !writable)
    return writable;
  if (stream.empty() || stream == events::workspace_stream || base.seq == 0 || base.seq >= cutoff)
    return error{errc::invalid_argument, "trim_stream: not a user stream with a base before the cutoff"};
  // The base replaces the older checkpoints in one batch (within a batch the later write wins;
  // the snapshots family has no insert hints, so a range delete is safe there).
  rocksdb::WriteBatch write;
  std::string value;
  put_u64_be(value, base.seq);
  value.append(base.bytes);
  if (!write.DeleteRange(handle(cf::snapshots), stream_key(stream, 0), stream_key(stream, base.seq))
         .ok() ||
      !write.Put(handle(cf::snapshots), stream_key(stream, base.seq), value).ok())
    return error{errc::storage_failure, "trim_stream: cannot build the batch"};
  rocksdb::WriteOptions options;
  options.sync = options_.sync == durability::fsync;
  if (auto written = to_status(db_->Write(options, &write), "trim stream " + std::string{stream});
      !written)
    return written;
  // Then the records the base folded (readers start from the base from now on).
  return delete_keys(
    *db_, handle(cf::streams), stream_key(stream, 0), stream_key(stream, cutoff),
    [](std::string_view, std::string_view) { return true; }, options_.sync);
}

status rocksdb_event_log::trim_log(sequence cutoff, const std::vector<sequence>& keep) {
  if (auto writable = check_writable("trim_log"); !writable)
    return writable;
  auto kept = keep.begin();
  auto deleted = delete_keys(
    *db_, handle(cf::log), log_key(1), log_key(cutoff),
    [&](std::string_view key, std::string_view) {
      auto seq = parse_log_key(key);
      while (kept != keep.end() && seq && *kept < *seq)
        ++kept;
      return !(seq && kept != keep.end() && *kept == *seq);
    },
    options_.sync);
  if (!deleted)
    return deleted;
  // Deletes only hide records: compaction drops them (and the tombstones) from the files. The
  // log's trimmed part is one key range, compacted now; a stream's is scattered over the family,
  // whose files full of deletions RocksDB compacts by itself (rocksdb_options.cpp).
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  const std::string first = log_key(1);
  const std::string end = log_key(cutoff);
  rocksdb::Slice begin_slice{first};
  rocksdb::Slice end_slice{end};
  return to_status(db_->CompactRange(compact, handle(cf::log), &begin_slice, &end_slice),
                   "compact the trimmed log");
}

status rocksdb_event_log::list_streams(const std::function<bool(std::string_view)>& visit) const {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(read, handle(cf::streams))};
  for (it->SeekToFirst(); it->Valid();) {
    auto key = it->key().ToStringView();
    auto parts = parse_stream_key(key);
    if (!parts)
      return corrupt_error(cf_streams, key, "key is not stream, 0x00, 8-byte sequence");
    if (!visit(parts->stream))
      return status::success();
    it->Seek(stream_upper_bound(parts->stream));
  }
  return to_status(it->status(), "list the streams");
}

} // namespace presence::storage::detail
