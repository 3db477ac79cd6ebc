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
inline result<std::unique_ptr<storage::event_log>>
open_log(const std::string& path, storage::open_mode mode = storage::open_mode::read_write) {
  storage::open_options options;
  options.path = path;
  options.mode = mode;
  return storage::event_log::open(options);
}

/// Opens a writer at `path` (creating the database); null, with a test failure, when it fails.
inline std::unique_ptr<storage::event_log> open_writer(const std::string& path) {
  auto opened = open_log(path);
  EXPECT_TRUE(opened.ok()) << describe(opened.error());
  return opened.ok() ? std::move(*opened) : nullptr;
}

/// Appends `count` activity events of `stream` in one batch (asserted to succeed).
inline void append_events(storage::event_log& log, std::size_t count,
                          const std::string& stream = "alice") {
  std::vector<events::event> batch(count, make_event(stream, 1, events::activity{"c1"}));
  auto first = log.append(batch);
  ASSERT_TRUE(first.ok()) << describe(first.error());
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

/// Writes one record with RocksDB directly, behind the log's back, so a test can forge or damage
/// what the log wrote (`family`: "log", "streams", "connections", "snapshots", "meta"). The
/// database must not be open elsewhere. Returns the failure as text, or "" on success.
inline std::string write_raw(const std::string& path, const std::string& family,
                             const std::string& key, const std::string& value) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "log", "streams", "connections", "snapshots", "meta"})
    families.emplace_back(name, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto st = rocksdb::DB::Open(rocksdb::DBOptions{}, path, families, &handles, &db);
  if (!st.ok())
    return "open: " + st.ToString();
  for (auto* handle : handles)
    if (handle->GetName() == family)
      st = db->Put(rocksdb::WriteOptions{}, handle, key, value);
  for (auto* handle : handles)
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  delete db;
  return st.ok() ? "" : "put: " + st.ToString();
}

/// 8-byte big-endian encoding, as the log's keys use.
inline std::string be64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
  return out;
}

} // namespace presence::test
