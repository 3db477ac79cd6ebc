// engine: online backups of the event log. Not a request to the actors: the backup runs on the
// caller's thread, straight on the log, while the journal goes on appending.

#include "engine_impl.hpp"

namespace presence::actors {

result<storage::backup_info> engine_impl::backup(const std::string& dir) {
  if (!calls_->enter())
    return error{errc::shutting_down, "the engine is shutting down"};
  // Counted as a running call, so shutdown waits for it before closing the log (up to the
  // request timeout; the copy of the pointer keeps the log open past that).
  auto log = log_;
  auto made = log->backup(dir);
  calls_->leave();
  return made;
}

} // namespace presence::actors
