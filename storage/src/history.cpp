// States at past instants from checkpoints plus the tail of their stream.
#include "presence/storage/history.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <tuple>
#include <string>
#include <utility>

#include "keys.hpp"
#include "stable_read.hpp"
#include "stored_state.hpp"
#include "presence/events/codec.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/recovery.hpp"

namespace presence::storage {

namespace {

/// A workspace checkpoint: a tag, then the service switch and the two idle timeouts.
constexpr std::string_view context_tag = "ctx1";
constexpr std::size_t context_bytes = 4 + 1 + 8 + 8;

std::string encode_context(const events::presence_context& context) {
  std::string out{context_tag};
  out.push_back(context.service_enabled ? '\1' : '\0');
  detail::put_u64_be(out, static_cast<uint64_t>(context.default_idle_timeout));
  detail::put_u64_be(out, static_cast<uint64_t>(context.mobile_idle_timeout));
  return out;
}

} // namespace

std::optional<events::presence_context> decode_context_checkpoint(std::string_view bytes) {
  if (bytes.size() != context_bytes || bytes.substr(0, 4) != context_tag || bytes[4] > '\1')
    return std::nullopt;
  events::presence_context context;
  context.service_enabled = bytes[4] == '\1';
  context.default_idle_timeout = static_cast<int64_t>(*detail::get_u64_be(bytes.substr(5, 8)));
  context.mobile_idle_timeout = static_cast<int64_t>(*detail::get_u64_be(bytes.substr(13, 8)));
  return context;
}

namespace {

/// The newest sequence with ts <= `at`: checkpoints up to it hold only events at or before `at`.
result<sequence> last_sequence_by(const event_log& log, events::timestamp_us at) {
  auto first_after = log.first_sequence_at(at + 1);
  if (!first_after)
    return first_after.error();
  return *first_after - 1;
}

result<past_user> user_state_once(const event_log& log, std::string_view user,
                                  events::timestamp_us at) {
  auto bound = last_sequence_by(log, at);
  if (!bound)
    return bound.error();
  past_user out;
  out.state.id = std::string{user};
  auto checkpoint = detail::usable_state(log.find_checkpoint(user, *bound), user);
  if (!checkpoint)
    return checkpoint.error();
  if (checkpoint->has_value())
    out.state = std::move(**checkpoint);
  auto read = log.read_stream(user, out.state.last_seq + 1, [&](const event& ev) {
    if (ev.ts > at)
      return false;
    events::apply(out.state, ev);
    ++out.folded;
    return true;
  });
  if (!read)
    return read.error();
  return out;
}

} // namespace

result<past_user> user_state_at(const event_log& log, std::string_view user,
                                events::timestamp_us at) {
  return detail::stable_read(log, [&](const retention_mark& mark) -> result<past_user> {
    if (mark.trimmed() && at < mark.since)
      return before_retained(mark, at);
    return user_state_once(log, user, at);
  });
}

result<past_context> context_at(const event_log& log, events::timestamp_us at) {
  auto bound = last_sequence_by(log, at);
  if (!bound)
    return bound.error();
  // Only the settings and the switch matter to the context: a workspace state holding those
  // folds the tail as the full one would.
  events::workspace_state workspace;
  auto checkpoint = log.find_checkpoint(events::workspace_stream, *bound);
  if (!checkpoint)
    return checkpoint.error();
  if (*checkpoint) {
    if (auto context = decode_context_checkpoint((*checkpoint)->bytes)) {
      workspace.service_enabled = context->service_enabled;
      workspace.settings.idle_timeout = context->default_idle_timeout;
      workspace.settings.mobile_idle_timeout = context->mobile_idle_timeout;
      workspace.last_seq = (*checkpoint)->seq;
    }
  }
  past_context out;
  auto read = log.read_stream(events::workspace_stream, workspace.last_seq + 1,
                              [&](const event& ev) {
                                if (ev.ts > at)
                                  return false;
                                events::apply(workspace, ev);
                                ++out.folded;
                                return true;
                              });
  if (!read)
    return read.error();
  out.context = events::context_of(workspace);
  out.seq = workspace.last_seq;
  return out;
}

result<history_slice> history_between(const event_log& log, std::string_view user,
                                      events::timestamp_us since, events::timestamp_us until) {
  history_slice out;
  auto past = user_state_at(log, user, since - 1);
  if (!past)
    return past.error();
  auto context = context_at(log, since - 1);
  if (!context)
    return context.error();
  out.base.user = std::move(past->state);
  out.base.context = context->context;
  std::vector<event> user_events;
  std::vector<event> workspace_events;
  for (auto [stream, from, sink] :
       {std::tuple{user, out.base.user.last_seq + 1, &user_events},
        std::tuple{events::workspace_stream, context->seq + 1, &workspace_events}}) {
    // Each stream is in time order: stop at the first event at or after `until`.
    auto read = log.read_stream(stream, from, [&, sink = sink](const event& ev) {
      if (ev.ts >= until)
        return false;
      sink->push_back(ev);
      return true;
    });
    if (!read)
      return read.error();
  }
  out.events.reserve(user_events.size() + workspace_events.size());
  std::merge(user_events.begin(), user_events.end(), workspace_events.begin(),
             workspace_events.end(), std::back_inserter(out.events),
             [](const event& a, const event& b) { return a.seq < b.seq; });
  return out;
}

status save_user_checkpoint(event_log& log, const events::user_state& state) {
  if (state.id.empty())
    return error{errc::invalid_argument, "save_user_checkpoint: the state has no user id"};
  return log.put_checkpoint(state.id, snapshot_record{state.last_seq, events::encode_snapshot(state)});
}

status save_context_checkpoint(event_log& log, const events::presence_context& context,
                               sequence seq) {
  return log.put_checkpoint(events::workspace_stream, snapshot_record{seq, encode_context(context)});
}

} // namespace presence::storage
