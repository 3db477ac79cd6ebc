// One pass of retention. Order, and why readers stay right without a shared snapshot:
//  1. each user stream with events below the cutoff gets a checkpoint of its state after them
//     (its base): nothing is deleted yet, so any reader is right;
//  2. the mark (`set_retained`) is written;
//  3. each stream's older records and checkpoints are deleted (one atomic batch per stream, the
//     base kept), then the log's, and the families are compacted.
// A reader folds from the newest checkpoint it finds, then the stream after it. One that found
// its checkpoint before step 1 and read the stream after step 3 would miss the deleted events;
// it then saw the mark change between its start and its end (step 2 lies between), so readers
// compare the mark before and after and read again (recovery.cpp, history.cpp).
#include "presence/storage/retention.hpp"

#include <string>
#include <vector>

#include "presence/events/codec.hpp"
#include "presence/events/user_state.hpp"
#include "stored_state.hpp"

namespace presence::storage {

namespace {

/// `user`'s state after its last event below `cutoff`: its newest checkpoint below the cutoff
/// plus the events after it.
result<events::user_state> state_before(const event_log& log, const std::string& user,
                                        sequence cutoff) {
  events::user_state state;
  state.id = user;
  auto checkpoint = detail::usable_state(log.find_checkpoint(user, cutoff - 1), user);
  if (!checkpoint)
    return checkpoint.error();
  if (checkpoint->has_value())
    state = std::move(**checkpoint);
  auto read = log.read_stream(user, state.last_seq + 1, [&](const event& ev) {
    if (ev.seq >= cutoff)
      return false;
    events::apply(state, ev);
    return true;
  });
  if (!read)
    return read.error();
  return state;
}

} // namespace

result<retention_result> apply_retention(event_log& log, timestamp_us horizon) {
  retention_result out;
  out.mark = log.retained();
  auto cutoff = log.first_sequence_at(horizon);
  if (!cutoff)
    return cutoff.error();
  if (*cutoff <= out.mark.from)
    return out;
  std::vector<std::string> users;
  auto listed = log.list_streams([&](std::string_view stream) {
    if (stream != events::workspace_stream)
      users.emplace_back(stream);
    return true;
  });
  if (!listed)
    return listed.error();
  // 1. Bases.
  std::vector<std::pair<std::string, sequence>> bases;
  for (const auto& user : users) {
    auto base = state_before(log, user, *cutoff);
    if (!base)
      return base.error();
    if (base->last_seq == 0)
      continue;  // no event below the cutoff
    snapshot_record record{base->last_seq, events::encode_snapshot(*base)};
    if (auto put = log.put_checkpoint(user, record); !put)
      return put.error();
    bases.emplace_back(user, base->last_seq);
  }
  // 2. The mark.
  const retention_mark mark{*cutoff, horizon};
  if (auto marked = log.set_retained(mark); !marked)
    return marked.error();
  out.mark = mark;
  // 3. Deletions: each stream down to its base, then the log (the workspace's records stay).
  for (const auto& [user, base_seq] : bases) {
    auto base = log.find_checkpoint(user, base_seq);
    if (!base)
      return base.error();
    if (!*base || (*base)->seq != base_seq)
      return error{errc::storage_failure, "retention: the base checkpoint of " + user + " is gone"};
    if (auto trimmed = log.trim_stream(user, *cutoff, **base); !trimmed)
      return trimmed.error();
    // A snapshot from before the base would make a rebuild fold from deleted events.
    auto snapshot = log.get_snapshot(user);
    if (snapshot && *snapshot && (*snapshot)->seq < base_seq)
      if (auto put = log.put_snapshot(user, **base); !put)
        return put.error();
    ++out.streams_trimmed;
  }
  std::vector<sequence> workspace;
  auto read = log.read_stream(events::workspace_stream, 0, [&](const event& ev) {
    if (ev.seq >= *cutoff)
      return false;
    workspace.push_back(ev.seq);
    return true;
  });
  if (!read)
    return read.error();
  if (auto trimmed = log.trim_log(*cutoff, workspace); !trimmed)
    return trimmed.error();
  return out;
}

} // namespace presence::storage
