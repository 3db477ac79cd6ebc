// `verify` passes on a good database and names every record corrupted on purpose.
#include <memory>

#include <rocksdb/db.h>

#include "presence/events/codec.hpp"
#include "presence/storage/event_log.hpp"
#include "presence/storage/recovery.hpp"
#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

/// The database opened with raw RocksDB and every column family, to damage it on purpose.
class raw_database {
 public:
  explicit raw_database(const std::string& path) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    auto st = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles_, &db);
    EXPECT_TRUE(st.ok()) << st.ToString();
    db_.reset(db);
    names_ = names;
  }
  ~raw_database() {
    for (auto* handle : handles_)
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(handle).ok());
    EXPECT_TRUE(db_->Close().ok());
  }

  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name)
        return handles_[i];
    ADD_FAILURE() << "no column family " << name;
    return nullptr;
  }
  std::string get(const std::string& cf, const std::string& key) {
    std::string value;
    auto st = db_->Get(rocksdb::ReadOptions(), family(cf), key, &value);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return value;
  }
  void put(const std::string& cf, const std::string& key, const std::string& value) {
    auto st = db_->Put(rocksdb::WriteOptions(), family(cf), key, value);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void remove(const std::string& cf, const std::string& key) {
    auto st = db_->Delete(rocksdb::WriteOptions(), family(cf), key);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

std::string be64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
  return out;
}

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0x0F];
  }
  return out;
}

class verify_test : public ctl_fixture {
 protected:
  void SetUp() override { import(data_file("scenario.jsonl")); }

  /// Runs verify and returns its output, asserting the exit code.
  std::string verify(int expected_exit) {
    auto run = ctl({"verify"});
    EXPECT_EQ(run.exit_code, expected_exit) << run.out << run.err;
    return run.out;
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(verify_test, a_good_database_passes) {
  auto out = verify(0);
  EXPECT_TRUE(contains(out, "verify: OK, no faults")) << out;
  EXPECT_TRUE(contains(out, "log          23 records, seq 1..23")) << out;
  EXPECT_TRUE(contains(out, "streams      23 records")) << out;
  EXPECT_TRUE(contains(out, "connections  1 index entries")) << out;
  EXPECT_FALSE(contains(out, "FAULT")) << out;
}

TEST_F(verify_test, a_flipped_byte_in_a_log_value_is_reported_with_its_key) {
  {
    raw_database raw(db_);
    auto value = raw.get("log", be64(5));
    ASSERT_GT(value.size(), 4u);
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x40);
    raw.put("log", be64(5), value);
  }
  auto out = verify(1);
  EXPECT_TRUE(contains(out, "FAULT log key=0000000000000005: record does not decode: corrupt_record"))
    << out;
  // The stream copy is intact, so it no longer matches the log byte for byte.
  EXPECT_TRUE(contains(out, "FAULT streams key=" + hex(std::string("alice") + '\0' + be64(5)) +
                              ": differs from the log record with seq 5"))
    << out;
  EXPECT_TRUE(contains(out, "verify: ")) << out;
  EXPECT_FALSE(contains(out, "verify: OK")) << out;
}

TEST_F(verify_test, a_deleted_streams_entry_is_reported) {
  const std::string key = std::string("bob") + '\0' + be64(11);
  {
    raw_database raw(db_);
    raw.remove("streams", key);
  }
  auto out = verify(1);
  EXPECT_TRUE(contains(out, "FAULT streams key=" + hex(key) +
                              ": missing: log record 11 of stream 'bob' has no streams entry"))
    << out;
  EXPECT_TRUE(contains(out, "verify: 1 fault")) << out;
}

TEST_F(verify_test, a_gap_in_the_global_log_is_reported) {
  {
    raw_database raw(db_);
    raw.remove("log", be64(9));
  }
  auto out = verify(1);
  EXPECT_TRUE(contains(out, "FAULT log key=0000000000000009: sequence gap: seq 9 is missing")) << out;
  EXPECT_TRUE(contains(out, "FAULT streams key=" + hex(std::string("alice") + '\0' + be64(9)) +
                              ": no log record with seq 9"))
    << out;
}

TEST_F(verify_test, the_connection_index_is_checked_against_replay) {
  const std::string open_key = std::string("bob") + '\0' + "b2";
  const std::string stale_key = std::string("alice") + '\0' + "c1";
  {
    raw_database raw(db_);
    raw.remove("connections", open_key);
    raw.put("connections", stale_key, be64(1));
  }
  auto out = verify(1);
  EXPECT_TRUE(contains(out, "FAULT connections key=" + hex(open_key) + ": missing")) << out;
  EXPECT_TRUE(contains(out, "FAULT connections key=" + hex(stale_key) +
                              ": index lists connection 'c1' of 'alice'"))
    << out;
}

TEST_F(verify_test, snapshots_must_equal_a_full_replay_up_to_their_seq) {
  {
    storage::open_options options;
    options.path = db_;
    auto log = storage::event_log::open(options);
    ASSERT_OK(log);
    auto bob = storage::replay_user(**log, "bob");
    ASSERT_OK(bob);
    ASSERT_OK(storage::save_user_snapshot(**log, *bob));
    // A snapshot of alice in the middle of her stream (after seq 13), written honestly…
    auto alice = storage::replay_user(**log, "alice", 1795258680'000000);  // 10:58:00
    ASSERT_OK(alice);
    ASSERT_EQ(alice->last_seq, 13u);
    ASSERT_OK(storage::save_user_snapshot(**log, *alice));
  }
  EXPECT_TRUE(contains(verify(0), "snapshots    2")) << "two honest snapshots verify";
  {
    // …then replaced by one that claims a different manual mode at the same seq.
    storage::open_options options;
    options.path = db_;
    auto log = storage::event_log::open(options);
    ASSERT_OK(log);
    auto alice = storage::replay_user(**log, "alice", 1795258680'000000);
    ASSERT_OK(alice);
    alice->manual = events::manual_mode::invisible;
    ASSERT_OK(storage::save_user_snapshot(**log, *alice));
  }
  auto out = verify(1);
  EXPECT_TRUE(contains(out, "FAULT snapshots key=" + hex("alice") +
                              ": differs from a full replay of 'alice' up to seq 13 in: manual"))
    << out;
}

} // namespace
} // namespace presence::test

namespace presence::test {
namespace {

events::event user_event(std::string user, events::timestamp_us ts, events::payload body) {
  events::event ev;
  ev.ts = ts;
  ev.stream = std::move(user);
  ev.by = ev.stream;
  ev.via = "test";
  ev.body = std::move(body);
  return ev;
}

TEST_F(verify_test, read_verbs_work_while_a_writer_holds_the_database) {
  storage::open_options options;
  options.path = db_;
  auto writer = storage::event_log::open(options);
  ASSERT_OK(writer);
  const events::timestamp_us t0 = 1795305600LL * 1'000'000;  // 2026-11-22T00:00:00Z
  std::vector<events::event> batch{
    user_event("alice", t0, events::connected{"c9", "desktop", 1})};
  ASSERT_OK((*writer)->append(batch));

  auto inspect = ctl({"inspect", "alice", "--at", "2026-11-22T00:00:01Z", "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(inspect.json()["presence"], "online");
  EXPECT_EQ(inspect.json()["connections"][0]["id"], "c9");
  auto verified = verify(0);
  EXPECT_TRUE(contains(verified, "log          24 records, seq 1..24")) << verified;

  // The writer goes on; the next run sees it.
  batch = {user_event("alice", t0 + 1'000'000, events::disconnected{"c9", events::disconnect_reason::closed})};
  ASSERT_OK((*writer)->append(batch));
  auto after = ctl({"inspect", "alice", "--at", "2026-11-22T00:00:02Z", "--json"});
  EXPECT_EQ(after.json()["presence"], "offline");

  // import needs the write lock the server holds.
  auto import = ctl({"import", data_file("all_types.jsonl")});
  EXPECT_EQ(import.exit_code, 2);
  EXPECT_NE(import.err.find("database_busy"), std::string::npos) << import.err;
}

} // namespace
} // namespace presence::test
