// Writes: append, append_exact and start_epoch. One WriteBatch per call, under one mutex.
#include <algorithm>
#include <string>
#include <utility>

#include <rocksdb/write_batch.h>

#include "keys.hpp"
#include "presence/events/codec.hpp"
#include "rocksdb_event_log.hpp"
#include "rocksdb_status.hpp"

namespace presence::storage::detail {

namespace {

/// Keys are built from stream ids with a 0x00 separator, so a stream must be non-empty and
/// free of NUL bytes.
status check_stream(const event& ev, std::size_t index) {
  if (ev.stream.empty() || ev.stream.find('\0') != std::string::npos)
    return error{errc::invalid_argument,
                 "append: event " + std::to_string(index) + " has an empty or NUL-bearing stream"};
  return status::success();
}

} // namespace

status rocksdb_event_log::write_events_locked(const std::vector<event>& batch) {
  if (needs_resume_) {
    // A failed write (e.g. a full disk) can leave RocksDB in its background-error state, where
    // every write fails until Resume(); try it now, so the log recovers once space returns.
    if (auto resumed = to_status(db_->Resume(), "append: resume after a failed write"); !resumed)
      return resumed;
    needs_resume_ = false;
  }
  rocksdb::WriteBatch write;
  std::string record;
  uint64_t epoch = epoch_.load();
  bool epoch_changed = false;
  for (const auto& ev : batch) {
    record.clear();
    events::encode_to(ev, record);
    auto key = log_key(ev.seq);
    auto put = write.Put(handle(cf::log), key, record);
    if (put.ok())
      put = write.Put(handle(cf::streams), stream_key(ev.stream, ev.seq), record);
    if (put.ok()) {
      if (auto* opened = std::get_if<events::connected>(&ev.body)) {
        std::string epoch_bytes;
        put_u64_be(epoch_bytes, opened->epoch);
        put =
          write.Put(handle(cf::connections), connection_key(ev.stream, opened->conn), epoch_bytes);
      } else if (auto* closed = std::get_if<events::disconnected>(&ev.body)) {
        put = write.Delete(handle(cf::connections), connection_key(ev.stream, closed->conn));
      } else if (auto* started = std::get_if<events::epoch_started>(&ev.body)) {
        if (started->epoch > epoch) {
          epoch = started->epoch;
          epoch_changed = true;
        }
      }
    }
    if (!put.ok())
      return to_error(put, "append: build the write batch");
  }
  if (epoch_changed) {
    std::string epoch_bytes;
    put_u64_be(epoch_bytes, epoch);
    if (auto put = write.Put(handle(cf::meta), meta_epoch, epoch_bytes); !put.ok())
      return to_error(put, "append: build the write batch");
  }
  rocksdb::WriteOptions options;
  options.sync = options_.sync == durability::fsync;
  if (auto st = db_->Write(options, &write); !st.ok()) {
    needs_resume_ = true;
    return to_error(st, "append of " + std::to_string(batch.size()) + " events");
  }
  // Publish only after the write: readers never see a sequence that is not stored.
  last_ts_.store(batch.back().ts);
  if (epoch_changed)
    epoch_.store(epoch);
  last_seq_.store(batch.back().seq);
  return status::success();
}

result<sequence> rocksdb_event_log::append(std::vector<event>& batch) {
  if (auto writable = check_writable("append"); !writable)
    return writable.error();
  if (batch.empty())
    return sequence{0};
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (auto checked = check_stream(batch[i], i); !checked)
      return checked.error();
  std::lock_guard<std::mutex> guard{append_mutex_};
  // Assign in place, remembering the caller's timestamps to restore them if the write fails.
  std::vector<timestamp_us> original_ts;
  original_ts.reserve(batch.size());
  const sequence first = last_seq_.load() + 1;
  timestamp_us floor = last_ts_.load();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& ev = batch[i];
    original_ts.push_back(ev.ts);
    ev.seq = first + i;
    ev.ts = std::max(ev.ts, floor);
    floor = ev.ts;
  }
  if (auto written = write_events_locked(batch); !written) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].seq = 0;
      batch[i].ts = original_ts[i];
    }
    return written.error();
  }
  return first;
}

status rocksdb_event_log::append_exact(const std::vector<event>& batch) {
  if (auto writable = check_writable("append_exact"); !writable)
    return writable;
  if (batch.empty())
    return status::success();
  std::lock_guard<std::mutex> guard{append_mutex_};
  sequence expected = last_seq_.load() + 1;
  timestamp_us floor = last_ts_.load();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& ev = batch[i];
    if (auto checked = check_stream(ev, i); !checked)
      return checked;
    if (ev.seq != expected)
      return error{errc::out_of_order, "append_exact: event " + std::to_string(i) + " has seq " +
                                         std::to_string(ev.seq) + ", expected " +
                                         std::to_string(expected)};
    if (ev.ts < floor)
      return error{errc::out_of_order, "append_exact: event seq " + std::to_string(ev.seq) +
                                         " has ts " + std::to_string(ev.ts) +
                                         " before the previous " + std::to_string(floor)};
    ++expected;
    floor = ev.ts;
  }
  return write_events_locked(batch);
}

result<uint64_t> rocksdb_event_log::start_epoch(timestamp_us now) {
  if (auto writable = check_writable("start_epoch"); !writable)
    return writable.error();
  std::lock_guard<std::mutex> guard{append_mutex_};
  const uint64_t next = epoch_.load() + 1;
  event ev;
  ev.seq = last_seq_.load() + 1;
  ev.ts = std::max(now, last_ts_.load());
  ev.stream = std::string{events::workspace_stream};
  ev.by = std::string{events::system_actor};
  ev.body = events::epoch_started{next};
  // write_events_locked records the new epoch in `meta` in the same batch.
  std::vector<event> batch{std::move(ev)};
  if (auto written = write_events_locked(batch); !written)
    return written.error();
  return next;
}

} // namespace presence::storage::detail
