// `presencectl backup` and `presencectl restore [--until TIME]`.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "database.hpp"
#include "presence/storage/backup.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

namespace fs = std::filesystem;
namespace ev = presence::events;

events::timestamp_us to_us(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

void print_backup(const storage::backup_info& info, bool json, std::ostream& out) {
  if (json) {
    out << nlohmann::json{{"id", info.id},
                          {"seq", info.seq},
                          {"created", format_time(to_us(info.created))},
                          {"bytes", info.bytes},
                          {"path", info.path}}
             .dump()
        << '\n';
    return;
  }
  out << "backup " << info.id << " seq " << info.seq << " created " << format_time(to_us(info.created))
      << " bytes " << info.bytes << " in " << info.path << '\n';
}

/// `invalid_argument` unless `dir` is absent or an empty directory.
status require_new_directory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)))
    return status{errc::invalid_argument,
                  "'" + dir + "' is not an empty directory; restore into a new one"};
  return status::success();
}

/// A scratch directory beside `near` (same file system), removed when this goes away.
class scratch_dir {
 public:
  static result<scratch_dir> beside(const std::string& near) {
    fs::path parent = fs::absolute(fs::path{near}).parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    std::string pattern = (parent / ".presence-restore-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return error{errc::storage_failure, "cannot create a scratch directory in " + parent.string()};
    return scratch_dir{pattern};
  }
  scratch_dir(scratch_dir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  scratch_dir& operator=(scratch_dir&&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    if (!path_.empty())
      fs::remove_all(path_, ec);
  }
  std::string sub(const char* name) const { return (fs::path{path_} / name).string(); }

 private:
  explicit scratch_dir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

/// Copies the events of `from` with ts < `until` into the new database `to`, keeping their
/// sequences and timestamps (the log is ordered by time, so they are a prefix of it). Returns
/// how many were copied.
result<uint64_t> copy_until(const storage::event_log& from, ev::timestamp_us until,
                            const std::string& to) {
  auto target = open_for_writing(to);
  if (!target)
    return target.error();
  std::vector<ev::event> batch;
  constexpr std::size_t batch_size = 1000;
  uint64_t copied = 0;
  status failure;
  const auto write = [&]() {
    failure = (*target)->append_exact(batch);
    copied += failure.ok() ? batch.size() : 0;
    batch.clear();
    return failure.ok();
  };
  auto read = from.read_range(1, from.last_sequence(), [&](const ev::event& event) {
    if (event.ts >= until)
      return false;
    batch.push_back(event);
    return batch.size() < batch_size || write();
  });
  if (!read.ok())
    return read.error();
  if (failure.ok() && !batch.empty())
    write();
  if (!failure.ok())
    return failure.error();
  if (auto flushed = (*target)->flush(); !flushed.ok())
    return flushed.error();
  return copied;
}

} // namespace

status run_backup(const std::string& db, const backup_options& options, std::ostream& out) {
  storage::open_options open;
  open.path = db;
  open.create_if_missing = false;
  auto log = storage::event_log::open(open);
  if (!log) {
    if (log.error().code == errc::database_busy)
      return status{errc::database_busy,
                    "'" + db + "' is open in a running server: back it up through its API "
                               "(admin.backups.create) instead"};
    return error{log.error().code, "cannot open '" + db + "': " + log.error().message};
  }
  auto made = (*log)->backup(options.to);
  if (!made)
    return made.error();
  print_backup(*made, options.json, out);
  return status::success();
}

status run_restore(const std::string& db, const restore_options& options, std::ostream& out) {
  std::optional<uint32_t> id;
  if (options.id != 0)
    id = options.id;
  if (options.until.empty()) {
    auto restored = storage::restore_backup(options.from, id, db);
    if (!restored)
      return restored.error();
    out << "restored backup " << restored->id << " (seq " << restored->seq << ") of "
        << options.from << " into " << db << '\n';
    return status::success();
  }
  auto until = parse_time(options.until);
  if (!until)
    return until.error();
  if (auto fresh = require_new_directory(db); !fresh.ok())
    return fresh;
  // Restore the whole backup beside the target, then rebuild the target from its events up to
  // TIME: indexes follow from the events; snapshots are left for the server to take again.
  auto scratch = scratch_dir::beside(db);
  if (!scratch)
    return scratch.error();
  auto restored = storage::restore_backup(options.from, id, scratch->sub("full"));
  if (!restored)
    return restored.error();
  storage::open_options open;
  open.path = scratch->sub("full");
  open.mode = storage::open_mode::read_only;
  auto full = storage::event_log::open(open);
  if (!full)
    return full.error();
  const bool existed = fs::exists(db);
  auto copied = copy_until(**full, *until, db);
  if (!copied) {
    // Leave the target as it was: absent or empty.
    std::error_code ec;
    fs::remove_all(db, ec);
    if (existed)
      fs::create_directories(db, ec);
    return copied.error();
  }
  out << "restored backup " << restored->id << " (seq " << restored->seq << ") into " << db
      << " up to " << format_time(*until) << ": " << *copied << " events";
  if (*copied != 0)
    out << " (seq 1.." << *copied << ")";
  out << '\n';
  return status::success();
}

} // namespace presence::tools
