// Opening, closing, the meta family and maintenance of the RocksDB event log.
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include <rocksdb/db.h>

#include "keys.hpp"
#include "rocksdb_event_log.hpp"
#include "rocksdb_options.hpp"
#include "rocksdb_status.hpp"
#include "tolerant_logger.hpp"

namespace presence::storage {

result<std::unique_ptr<event_log>> event_log::open(const open_options& options) {
  return detail::rocksdb_event_log::open_database(options);
}

} // namespace presence::storage

namespace presence::storage::detail {

namespace {

namespace fs = std::filesystem;

/// A fresh directory for a secondary instance's own files.
result<std::string> make_secondary_dir() {
  std::error_code ec;
  auto base = fs::temp_directory_path(ec);
  if (ec)
    base = "/tmp";
  std::string pattern = (base / "presence-secondary-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return error{errc::storage_failure,
                 "cannot create a secondary directory under " + base.string()};
  return pattern;
}

} // namespace

result<std::unique_ptr<event_log>> rocksdb_event_log::open_database(const open_options& options) {
  if (options.path.empty())
    return error{errc::invalid_argument, "open: empty database path"};
  std::error_code ec;
  bool exists = fs::exists(fs::path{options.path} / "CURRENT", ec);
  if (!exists && (options.mode != open_mode::read_write || !options.create_if_missing))
    return error{errc::database_missing, "no database at " + options.path};

  std::string owned_secondary_dir;
  std::string secondary_dir = options.secondary_path;
  if (options.mode == open_mode::secondary && secondary_dir.empty()) {
    auto made = make_secondary_dir();
    if (!made)
      return made.error();
    owned_secondary_dir = secondary_dir = *made;
  }

  auto descriptors = family_descriptors();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st;
  auto db_opts = db_options(options);
  if (options.mode == open_mode::read_write)
    db_opts.info_log = tolerant_logger::open(options.path); // null: RocksDB's default logger
  switch (options.mode) {
    case open_mode::read_write:
      st = rocksdb::DB::Open(db_opts, options.path, descriptors, &handles, &raw);
      break;
    case open_mode::read_only:
      st = rocksdb::DB::OpenForReadOnly(db_opts, options.path, descriptors, &handles, &raw);
      break;
    case open_mode::secondary:
      st = rocksdb::DB::OpenAsSecondary(db_opts, options.path, secondary_dir, descriptors, &handles,
                                        &raw);
      break;
  }
  if (!st.ok()) {
    if (!owned_secondary_dir.empty())
      fs::remove_all(owned_secondary_dir, ec);
    return to_error(st, "open " + options.path);
  }
  handle_array array{};
  for (std::size_t i = 0; i < cf_count && i < handles.size(); ++i)
    array[i] = handles[i];
  std::unique_ptr<rocksdb_event_log> log{new rocksdb_event_log(
    options, std::unique_ptr<rocksdb::DB>{raw}, array, std::move(owned_secondary_dir))};
  if (auto loaded = log->load_meta(); !loaded)
    return loaded.error();
  if (auto loaded = log->load_log_tail(); !loaded)
    return loaded.error();
  return std::unique_ptr<event_log>{std::move(log)};
}

rocksdb_event_log::rocksdb_event_log(open_options options, std::unique_ptr<rocksdb::DB> db,
                                     handle_array handles, std::string owned_secondary_dir)
  : options_(std::move(options)), db_(std::move(db)), handles_(handles),
    owned_secondary_dir_(std::move(owned_secondary_dir)) {}

rocksdb_event_log::~rocksdb_event_log() {
  for (auto* family : handles_)
    if (family != nullptr)
      db_->DestroyColumnFamilyHandle(family).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
  db_.reset();
  if (!owned_secondary_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(owned_secondary_dir_, ec);
  }
}

status rocksdb_event_log::load_meta() {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, handle(cf::meta), meta_schema_version, &value);
  if (st.IsNotFound()) {
    if (options_.mode != open_mode::read_write)
      return corrupt_error(cf_meta, meta_schema_version, "schema_version is missing");
    // A new database: record the schema this build writes.
    std::string encoded;
    put_u32_be(encoded, schema_version);
    rocksdb::WriteOptions write;
    write.sync = true;
    if (auto put = to_status(db_->Put(write, handle(cf::meta), meta_schema_version, encoded),
                             "write schema_version");
        !put)
      return put;
  } else if (!st.ok()) {
    return to_error(st, "read schema_version");
  } else {
    auto version = get_u32_be(value);
    if (!version)
      return corrupt_error(cf_meta, meta_schema_version, "schema_version is not 4 bytes");
    if (*version > schema_version)
      return error{errc::unsupported_version,
                   "database " + options_.path + " has schema version " + std::to_string(*version) +
                     "; this build supports up to " + std::to_string(schema_version)};
  }
  if (auto loaded = load_retained(); !loaded)
    return loaded;
  st = db_->Get(rocksdb::ReadOptions{}, handle(cf::meta), meta_epoch, &value);
  if (st.IsNotFound()) {
    epoch_.store(0);
    return status::success();
  }
  if (!st.ok())
    return to_error(st, "read epoch");
  auto epoch = get_u64_be(value);
  if (!epoch)
    return corrupt_error(cf_meta, meta_epoch, "epoch is not 8 bytes");
  epoch_.store(*epoch);
  return status::success();
}

status rocksdb_event_log::load_log_tail() {
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, handle(cf::log))};
  it->SeekToLast();
  if (!it->Valid()) {
    if (auto checked = to_status(it->status(), "read the end of the log"); !checked)
      return checked;
    last_seq_.store(0);
    last_ts_.store(0);
    return status::success();
  }
  auto key = it->key().ToStringView();
  auto seq = parse_log_key(key);
  if (!seq)
    return corrupt_error(cf_log, key, "key is not an 8-byte sequence");
  // Only a writer needs the newest timestamp (to clamp the next ones); tools must still be able
  // to open a database whose last record is damaged, to report it.
  if (options_.mode == open_mode::read_write) {
    auto newest = decode_record(cf_log, key, it->value().ToStringView(), *seq);
    if (!newest)
      return newest.error();
    last_ts_.store(newest->ts);
  }
  last_seq_.store(*seq);
  return status::success();
}

status rocksdb_event_log::check_writable(std::string_view what) const {
  if (options_.mode == open_mode::read_write)
    return status::success();
  return error{errc::read_only,
               std::string{what} + ": database " + options_.path + " is open " +
                 (options_.mode == open_mode::read_only ? "read-only" : "as a secondary")};
}

uint64_t rocksdb_event_log::current_epoch() const {
  return epoch_.load();
}

sequence rocksdb_event_log::last_sequence() const {
  return last_seq_.load();
}

status rocksdb_event_log::catch_up() {
  if (options_.mode != open_mode::secondary)
    return status::success();
  if (auto st = to_status(db_->TryCatchUpWithPrimary(), "catch up with the primary"); !st)
    return st;
  if (auto st = load_meta(); !st)
    return st;
  return load_log_tail();
}

uint64_t rocksdb_event_log::disk_size() const {
  // RocksDB keeps every file at the top of its directory; subdirectories (a backup directory
  // placed in the data directory) are not the database.
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it{options_.path, ec}, end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto size = it->file_size(size_ec);
      if (!size_ec)
        total += size;
    }
  }
  return total;
}

status rocksdb_event_log::flush() {
  if (options_.mode != open_mode::read_write)
    return status::success();
  std::vector<rocksdb::ColumnFamilyHandle*> families(handles_.begin(), handles_.end());
  rocksdb::FlushOptions flush_options;
  flush_options.wait = true;
  if (auto st = to_status(db_->Flush(flush_options, families), "flush memtables"); !st)
    return st;
  return to_status(db_->FlushWAL(true), "flush the WAL");
}

const open_options& rocksdb_event_log::options() const {
  return options_;
}

} // namespace presence::storage::detail
