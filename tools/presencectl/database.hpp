#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/event_log.hpp"
#include "presence/storage/recovery.hpp"

namespace presence::tools {

/// Opens the database at `dir` for reading as a RocksDB secondary, so it works while a server
/// writes. Error: `database_missing` naming the directory when there is no database there, or the
/// storage error.
[[nodiscard]] result<std::unique_ptr<storage::event_log>> open_for_reading(const std::string& dir);

/// Opens (creating it if missing) the database at `dir` as its one writer, for `import`.
/// Errors: `database_busy` when a server holds it, or the storage error.
[[nodiscard]] result<std::unique_ptr<storage::event_log>> open_for_writing(const std::string& dir);

/// A database opened for reading and the workspace as of its newest event.
struct stream_database {
  std::unique_ptr<storage::event_log> log;
  events::workspace_state workspace;
};

/// Opens `dir` for reading (like `open_for_reading`) for a verb about one stream, and checks that
/// `stream` is `$workspace`, has events, or was created in the workspace. Errors: those of
/// `open_for_reading`, `unknown_user` naming the user, `corrupt_record` / `storage_failure`.
[[nodiscard]] result<stream_database> open_for_stream(const std::string& dir,
                                                      std::string_view stream);

} // namespace presence::tools
