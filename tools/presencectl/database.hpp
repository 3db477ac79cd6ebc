#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::tools {

/// Opens the database at `dir` for reading as a RocksDB secondary, so it works while a server
/// writes. Error: `database_missing` naming the directory when there is no database there, or the
/// storage error.
[[nodiscard]] result<std::unique_ptr<storage::event_log>> open_for_reading(const std::string& dir);

/// Opens (creating it if missing) the database at `dir` as its one writer, for `import`.
/// Errors: `database_busy` when a server holds it, or the storage error.
[[nodiscard]] result<std::unique_ptr<storage::event_log>> open_for_writing(const std::string& dir);

/// Succeeds when `user` is `$workspace`, has events in its stream, or was created in the
/// workspace `ws`. Error: `unknown_user` naming the user.
[[nodiscard]] status require_known_stream(const storage::event_log& log, std::string_view user,
                                          const events::workspace_state& ws);

} // namespace presence::tools
