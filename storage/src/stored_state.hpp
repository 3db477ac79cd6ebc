#pragma once

// Reading a stored snapshot or checkpoint of a user stream back as a state.

#include <optional>
#include <string_view>
#include <utility>

#include "presence/events/codec.hpp"
#include "presence/events/result.hpp"
#include "presence/events/user_state.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage::detail {

/// The state `stored` (a `get_snapshot` or `find_checkpoint` answer) holds when it is one of
/// `user`'s and agrees with the sequence it claims to cover; nullopt when there is none or it is
/// damaged (that only costs a longer fold). Storage failures stay errors.
inline result<std::optional<events::user_state>>
usable_state(result<std::optional<snapshot_record>> stored, std::string_view user) {
  if (!stored) {
    if (stored.error().code == errc::corrupt_record)
      return std::optional<events::user_state>{};
    return stored.error();
  }
  if (!stored->has_value())
    return std::optional<events::user_state>{};
  auto decoded = events::decode_snapshot((*stored)->bytes);
  if (!decoded || decoded->id != user || decoded->last_seq != (*stored)->seq)
    return std::optional<events::user_state>{};
  return std::optional<events::user_state>{std::move(*decoded)};
}

} // namespace presence::storage::detail
