// The user_change side of a broadcaster shard (broadcaster.hpp): shard 0, which knows every
// subscriber, holds each changed user's latest profile per phase and tells every subscriber of
// a phase at that phase's tick, so a status set and cleared within one interval goes out once,
// with its final value.

#include <memory>
#include <utility>
#include <vector>

#include "broadcaster_actor.hpp"
#include "protocol.hpp"

namespace presence::actors::broadcaster_impl {

void publish_profile(broadcaster_actor self, user_profile profile) {
  auto& st = self->state;
  st.profiles_pending.resize(st.table.phases());
  for (auto& phase : st.profiles_pending)
    phase.insert_or_assign(profile.user.id, profile);
  arm_flush(self);
}

bool profiles_waiting(const broadcaster_state& st) noexcept {
  for (const auto& phase : st.profiles_pending)
    if (!phase.empty())
      return true;
  return false;
}

void flush_profiles(broadcaster_actor self, uint64_t mask) {
  auto& st = self->state;
  for (std::size_t phase = 0; phase < st.profiles_pending.size(); ++phase) {
    auto& pending = st.profiles_pending[phase];
    if ((mask & (uint64_t{1} << phase)) == 0 || pending.empty())
      continue;
    // One shared list per phase: every subscriber of the phase reads it.
    auto list = std::make_shared<std::vector<user_profile>>();
    list->reserve(pending.size());
    for (auto& kv : pending)
      list->push_back(std::move(kv.second));
    pending.clear();
    notification note;
    note.type = notification::kind::user_change;
    note.profiles = std::move(list);
    if (phase >= st.sinks_by_phase.size())
      continue;
    for (auto id : st.sinks_by_phase[phase]) {
      const auto& to = st.sinks.at(id);
      if (to.callback)
        (*to.callback)(note);
      else
        caf::anon_send(to.actor, note); // typed to untyped: see deliver (broadcaster.cpp)
    }
  }
}

} // namespace presence::actors::broadcaster_impl
