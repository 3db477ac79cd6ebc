// Online backups (RocksDB's BackupEngine), listing them and restoring one.
#include <cstdarg>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>

#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include "keys.hpp"
#include "presence/storage/backup.hpp"
#include "rocksdb_event_log.hpp"
#include "rocksdb_options.hpp"
#include "rocksdb_status.hpp"

namespace presence::storage::detail {

namespace {

namespace fs = std::filesystem;

/// Serialises every backup operation of the process: a BackupEngine opened per call locks nothing,
/// and listing a backup directory while another call purges it could read a deleted backup.
std::mutex& backup_operations() {
  static std::mutex mutex;
  return mutex;
}

/// Written into every backup's metadata, for a person reading the backup directory.
constexpr const char* backup_metadata = "presence event log";

/// Opening a backup to read its newest sequence must not write a LOG file into it.
class silent_logger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

/// `database_missing` unless `dir` holds a backup directory (its `meta` subdirectory).
status check_backup_dir(const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(fs::path{dir} / "meta", ec))
    return error{errc::database_missing, "no backup directory at '" + dir + "'"};
  return status::success();
}

result<std::unique_ptr<rocksdb::BackupEngine>> open_engine(const std::string& dir) {
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::BackupEngineOptions options{dir};
  options.max_background_operations = 1;
  auto st = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &raw);
  if (!st.ok())
    return to_error(st, "open backup directory " + dir);
  return std::unique_ptr<rocksdb::BackupEngine>{raw};
}

result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> open_engine_read_only(
  const std::string& dir) {
  if (auto found = check_backup_dir(dir); !found)
    return found.error();
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto st = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                rocksdb::BackupEngineOptions{dir}, &raw);
  if (!st.ok())
    return to_error(st, "open backup directory " + dir);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>{raw};
}

/// The newest sequence of the backup described by `info` (with file details), read by opening
/// the backup in place, read-only.
result<sequence> newest_sequence(const rocksdb::BackupInfo& info) {
  open_options read_only;
  read_only.mode = open_mode::read_only;
  auto options = db_options(read_only);
  options.env = info.env_for_open.get();
  options.info_log = std::make_shared<silent_logger>();
  auto descriptors = family_descriptors();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const std::string what = "open backup " + std::to_string(info.backup_id);
  auto st = rocksdb::DB::OpenForReadOnly(options, info.name_for_open, descriptors, &handles, &raw);
  if (!st.ok())
    return to_error(st, what);
  std::unique_ptr<rocksdb::DB> db{raw};
  result<sequence> newest = sequence{0};
  {
    std::unique_ptr<rocksdb::Iterator> it{
      db->NewIterator(rocksdb::ReadOptions{}, handles[static_cast<std::size_t>(cf::log)])};
    it->SeekToLast();
    if (it->Valid()) {
      auto key = it->key().ToStringView();
      if (auto seq = parse_log_key(key))
        newest = *seq;
      else
        newest = corrupt_error(cf_log, key, "key is not an 8-byte sequence");
    } else if (!it->status().ok()) {
      newest = to_error(it->status(), what);
    }
  }
  for (auto* family : handles)
    db->DestroyColumnFamilyHandle(family).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  return newest;
}

/// `backup_info` of backup `id` of the engine at `dir`.
template <class Engine>
result<backup_info> describe(Engine& engine, rocksdb::BackupID id, const std::string& dir) {
  rocksdb::BackupInfo info;
  if (auto st = engine.GetBackupInfo(id, &info, /*include_file_details=*/true); !st.ok()) {
    if (st.IsNotFound())
      return error{errc::database_missing,
                   "no backup " + std::to_string(id) + " in '" + dir + "'"};
    return to_error(st, "read backup " + std::to_string(id));
  }
  auto seq = newest_sequence(info);
  if (!seq)
    return seq.error();
  backup_info out;
  out.id = info.backup_id;
  out.seq = *seq;
  out.created = std::chrono::system_clock::time_point{std::chrono::seconds{info.timestamp}};
  out.bytes = info.size;
  out.path = dir;
  return out;
}

} // namespace

result<backup_info> rocksdb_event_log::backup(const std::string& dir) {
  if (auto writable = check_writable("backup"); !writable)
    return writable.error();
  if (dir.empty())
    return error{errc::invalid_argument, "backup: empty backup directory"};
  std::lock_guard<std::mutex> guard{backup_operations()};
  auto engine = open_engine(dir);
  if (!engine)
    return engine.error();
  rocksdb::CreateBackupOptions create;
  // The flush puts every acknowledged event into a table file; appends meanwhile go to a new
  // memtable, and the WAL files the backup needs are copied as they are at that point.
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  if (auto st = (*engine)->CreateNewBackupWithMetadata(create, db_.get(), backup_metadata, &id);
      !st.ok())
    return to_error(st, "backup into " + dir);
  return describe(**engine, id, dir);
}

} // namespace presence::storage::detail

namespace presence::storage {

result<std::vector<backup_info>> list_backups(const std::string& dir) {
  std::lock_guard<std::mutex> guard{detail::backup_operations()};
  auto engine = detail::open_engine_read_only(dir);
  if (!engine)
    return engine.error();
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<backup_info> out;
  out.reserve(infos.size());
  for (const auto& info : infos) {
    auto described = detail::describe(**engine, info.backup_id, dir);
    if (!described)
      return described.error();
    out.push_back(std::move(*described));
  }
  return out;
}

result<backup_info> restore_backup(const std::string& backup_dir, std::optional<uint32_t> id,
                                   const std::string& db_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (db_dir.empty())
    return error{errc::invalid_argument, "restore: empty database directory"};
  if (fs::exists(db_dir, ec) && (!fs::is_directory(db_dir, ec) || !fs::is_empty(db_dir, ec)))
    return error{errc::invalid_argument,
                 "restore: '" + db_dir + "' is not an empty directory; restore into a new one"};
  std::lock_guard<std::mutex> guard{detail::backup_operations()};
  auto engine = detail::open_engine_read_only(backup_dir);
  if (!engine)
    return engine.error();
  rocksdb::BackupID chosen = 0;
  if (id) {
    chosen = *id;
  } else {
    std::vector<rocksdb::BackupInfo> infos;
    (*engine)->GetBackupInfo(&infos);
    if (infos.empty())
      return error{errc::database_missing, "no backup in '" + backup_dir + "'"};
    chosen = infos.back().backup_id;
  }
  auto described = detail::describe(**engine, chosen, backup_dir);
  if (!described)
    return described.error();
  if (auto st = (*engine)->VerifyBackup(chosen, /*verify_with_checksum=*/true); !st.ok())
    return detail::to_error(st, "verify backup " + std::to_string(chosen));
  if (auto st = (*engine)->RestoreDBFromBackup(rocksdb::RestoreOptions{}, chosen, db_dir, db_dir);
      !st.ok())
    return detail::to_error(st, "restore backup " + std::to_string(chosen) + " into " + db_dir);
  return described;
}

status purge_backups(const std::string& dir, uint32_t keep) {
  if (keep == 0)
    return error{errc::invalid_argument, "purge_backups: keep must be at least 1"};
  std::lock_guard<std::mutex> guard{detail::backup_operations()};
  if (auto found = detail::check_backup_dir(dir); !found)
    return found;
  auto engine = detail::open_engine(dir);
  if (!engine)
    return engine.error();
  return detail::to_status((*engine)->PurgeOldBackups(keep), "purge backups in " + dir);
}

} // namespace presence::storage
