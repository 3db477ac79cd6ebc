#pragma once

// Helpers shared by the storage tests: building events, opening logs, and raw RocksDB access
// for tests that must damage or forge what the log wrote.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "presence/events/event.hpp"
#include "presence/storage/event_log.hpp"
#include "support/test_support.hpp"

namespace presence::test {

/// An event of `stream` at `ts` with `body`, caused by the stream's user.
inline events::event make_event(std::string stream, events::timestamp_us ts, events::payload body) {
  events::event ev;
  ev.ts = ts;
  ev.by = stream;
  ev.via = "test";
  ev.stream = std::move(stream);
  ev.body = std::move(body);
  return ev;
}

/// Opens a log at `path` in `mode`; the result is checked by the caller.
inline result<std::unique_ptr<storage::event_log>> open_log(
  const std::string& path, storage::open_mode mode = storage::open_mode::read_write) {
  storage::open_options options;
  options.path = path;
  options.mode = mode;
  return storage::event_log::open(options);
}

/// Every event of the global log, in order (fails the test on error).
inline std::vector<events::event> read_all(const storage::event_log& log) {
  std::vector<events::event> out;
  auto st = log.read_range(1, UINT64_MAX, [&](const events::event& ev) {
    out.push_back(ev);
    return true;
  });
  EXPECT_TRUE(st.ok()) << describe(st.error());
  return out;
}

/// A database opened with RocksDB directly, with every column family of the event log, so a
/// test can forge or damage records. Closes on destruction.
class raw_db {
 public:
  explicit raw_db(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "log", "streams", "connections", "snapshots", "meta"})
      families.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    rocksdb::DBOptions options;
    rocksdb::DB* db = nullptr;
    status_ = rocksdb::DB::Open(options, path, families, &handles_, &db);
    db_.reset(db);
  }
  ~raw_db() {
    for (auto* handle : handles_)
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    if (db_)
      db_->Close().PermitUncheckedError();
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  const rocksdb::Status& open_status() const { return status_; }

  /// The handle of a family by name ("log", "streams", "connections", "snapshots", "meta").
  rocksdb::ColumnFamilyHandle* family(const std::string& name) const {
    for (auto* handle : handles_)
      if (handle->GetName() == name)
        return handle;
    return nullptr;
  }

  rocksdb::Status put(const std::string& family_name, const std::string& key,
                      const std::string& value) {
    return db_->Put(rocksdb::WriteOptions{}, family(family_name), key, value);
  }

 private:
  rocksdb::Status status_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

/// 8-byte big-endian encoding, as the log's keys use.
inline std::string be64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
  return out;
}

} // namespace presence::test
