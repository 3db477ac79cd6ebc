// engine: user commands and queries, blocking forms.

#include <future>

#include "engine_impl.hpp"

namespace presence::actors {

namespace {

/// The manual mode a preset's presence value stands for.
result<events::manual_mode> manual_mode_of(const events::preset& preset) {
  switch (preset.presence) {
    case events::presence_value::online:
      return events::manual_mode::automatic;
    case events::presence_value::away:
      return events::manual_mode::away;
    case events::presence_value::busy:
      return events::manual_mode::busy;
    case events::presence_value::offline:
      return events::manual_mode::invisible;
    default:
      return error{errc::invalid_preset, "preset " + preset.id + " has no manual mode"};
  }
}

} // namespace

status engine_impl::connect(const std::string& user, const std::string& conn,
                            const std::string& client, const origin& from) {
  return tell(shard_of(user), connect_atom::value, user, conn, client, by(from), via(from));
}

status engine_impl::disconnect(const std::string& user, const std::string& conn,
                               events::disconnect_reason reason, const origin& from) {
  return tell(shard_of(user), disconnect_atom::value, user, conn, reason, by(from), via(from));
}

status engine_impl::activity(const std::string& user, const std::string& conn,
                             const origin& from) {
  return tell(shard_of(user), activity_atom::value, user, conn, by(from), via(from));
}

status engine_impl::set_presence(const std::string& user, events::manual_mode mode,
                                 events::timestamp_us until, const origin& from) {
  return tell(shard_of(user), set_presence_atom::value, user, mode, until, by(from), via(from));
}

status engine_impl::set_status(const std::string& user, const std::string& text,
                               const std::string& emoji, int64_t expiration,
                               const origin& from) {
  return tell(shard_of(user), set_status_atom::value, user, text, emoji, expiration, by(from),
              via(from));
}

status engine_impl::set_preferences(const std::string& user, int64_t idle_timeout,
                                    bool auto_away, const origin& from) {
  return tell(shard_of(user), set_prefs_atom::value, user, idle_timeout, auto_away, by(from),
              via(from));
}

status engine_impl::apply_preset(const std::string& user, const std::string& preset_id,
                                 const origin& from) {
  auto all = presets();
  if (!all)
    return all.error();
  for (const auto& preset : *all) {
    if (preset.id != preset_id)
      continue;
    auto mode = manual_mode_of(preset);
    if (!mode)
      return mode.error();
    // Two events (status_set, presence_set): the status first, so a refused status changes
    // nothing at all.
    if (auto set = set_status(user, preset.name, {}, 0, from); !set)
      return set;
    return set_presence(user, *mode, 0, from);
  }
  return status{errc::unknown_preset, preset_id};
}

result<events::presence_view> engine_impl::query(const std::string& user,
                                                 std::optional<events::timestamp_us> at) {
  if (at)
    return ask<events::presence_view>(shard_of(user), query_atom::value, user, *at);
  return ask<events::presence_view>(shard_of(user), query_atom::value, user);
}

result<std::vector<std::pair<std::string, events::presence_value>>> engine_impl::query_many(
  const std::vector<std::string>& users) {
  using answer = result<std::vector<std::pair<std::string, events::presence_value>>>;
  std::promise<answer> promise;
  auto future = promise.get_future();
  query_many_async(users, [&promise](answer out) { promise.set_value(std::move(out)); });
  return future.get();
}

} // namespace presence::actors
