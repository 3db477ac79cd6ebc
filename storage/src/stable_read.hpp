#pragma once

// Reads that fold a checkpoint and the stream after it, made safe against a retention pass
// running meanwhile (storage/src/retention.cpp explains the order it writes in).

#include "presence/events/result.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage::detail {

/// Runs `read(mark)` until the retention mark is the same before and after it (a pass between
/// the two may have deleted events the read expected), at most 3 times; then `storage_failure`.
template <class Read>
auto stable_read(const event_log& log, const Read& read) -> decltype(read(retention_mark{})) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto before = log.retained();
    auto out = read(before);
    if (!out || log.retained().from == before.from)
      return out;
  }
  return error{errc::storage_failure, "the history was trimmed during every read of it"};
}

} // namespace presence::storage::detail
