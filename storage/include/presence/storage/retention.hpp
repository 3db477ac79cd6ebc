#pragma once

// Retention: the log cannot fill the disk forever. The events of user streams older than a
// horizon are folded into one checkpoint per stream (its base) and deleted; the workspace stream
// (users, tokens, settings: facts needed for good) is kept whole. Reads of the remaining history
// start from the bases, so states and presence after the horizon stay exact; an instant before
// it is refused with `before_retention`.

#include <cstdint>

#include "presence/events/result.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage {

/// What one pass of retention did.
struct retention_result {
  retention_mark mark;           ///< where the retained history begins now
  uint64_t streams_trimmed = 0;  ///< user streams folded into a new base
};

/// Folds and deletes every user-stream event older than `horizon` (µs since the epoch), in an
/// order that keeps concurrent readers right (storage/src/retention.cpp): first each stream's
/// base checkpoint, then the mark (`event_log::set_retained`), then the deletions and a
/// compaction. Nothing happens when no event is older than the horizon, or the mark is already
/// there. Safe to repeat after a crash part-way. Blocking I/O; one pass at a time per database.
/// Errors: those of the reads and of `trim_stream` / `trim_log`.
[[nodiscard]] result<retention_result> apply_retention(event_log& log, timestamp_us horizon);

} // namespace presence::storage
