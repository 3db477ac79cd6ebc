#include "database.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

namespace presence::tools {

namespace {

/// A RocksDB database directory always holds a CURRENT file.
bool looks_like_database(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / "CURRENT", ec);
}

} // namespace

result<std::unique_ptr<storage::event_log>> open_for_reading(const std::string& dir) {
  if (!looks_like_database(dir))
    return error{errc::database_missing, "no presence database at '" + dir + "'"};
  storage::open_options options;
  options.path = dir;
  options.mode = storage::open_mode::secondary;
  options.create_if_missing = false;
  auto log = storage::event_log::open(options);
  if (!log)
    return error{log.error().code, "cannot open '" + dir + "': " + log.error().message};
  // A secondary sees the primary as of its last catch-up: take the newest writes of a live server.
  if (auto caught_up = (*log)->catch_up(); !caught_up.ok())
    return caught_up.error();
  return log;
}

result<std::unique_ptr<storage::event_log>> open_for_writing(const std::string& dir) {
  storage::open_options options;
  options.path = dir;
  options.mode = storage::open_mode::read_write;
  options.create_if_missing = true;
  auto log = storage::event_log::open(options);
  if (!log)
    return error{log.error().code, "cannot open '" + dir + "' for writing: " + log.error().message};
  return log;
}

namespace {

status require_known_stream(const storage::event_log& log, std::string_view user,
                            const events::workspace_state& ws) {
  if (user == events::workspace_stream || ws.users.count(user) != 0)
    return status::success();
  bool has_events = false;
  auto scanned = log.read_stream(user, 0, [&has_events](const events::event&) {
    has_events = true;
    return false;
  });
  if (!scanned.ok())
    return scanned;
  if (!has_events)
    return status{errc::unknown_user, "unknown user '" + std::string(user) +
                                        "': no events in its stream and not created in the workspace"};
  return status::success();
}

} // namespace

result<stream_database> open_for_stream(const std::string& dir, std::string_view stream) {
  auto log = open_for_reading(dir);
  if (!log)
    return log.error();
  auto workspace = storage::replay_workspace(**log);
  if (!workspace)
    return workspace.error();
  if (auto known = require_known_stream(**log, stream, *workspace); !known.ok())
    return known.error();
  return stream_database{std::move(*log), std::move(*workspace)};
}

} // namespace presence::tools
