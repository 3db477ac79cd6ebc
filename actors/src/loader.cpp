#include "loader.hpp"

#include <string>
#include <utility>

#include <caf/all.hpp>

#include "errors.hpp"
#include "presence/storage/recovery.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace {

struct loader_state {
  std::shared_ptr<storage::event_log> log;
  static inline const char* name = "presence.loader";
};

using loader_actor = loader_handle::stateful_pointer<loader_state>;

caf::result<events::user_state> reply(result<events::user_state> loaded) {
  if (!loaded)
    return to_caf_error(loaded.error());
  return std::move(loaded.value());
}

loader_handle::behavior_type loader(loader_actor self, std::shared_ptr<storage::event_log> log) {
  self->state.log = std::move(log);
  return {
    [=](load_atom, const std::string& user) {
      return reply(storage::recover_user(*self->state.log, user));
    },
    [=](load_atom, const std::string& user,
        events::timestamp_us at) -> caf::result<events::presence_view> {
      // The presence at `at` under the workspace as it was then (service switch, idle timeout),
      // not as it is now: both folds stop at `at`.
      auto past = storage::replay_user(*self->state.log, user, at);
      if (!past)
        return to_caf_error(past.error());
      auto workspace = storage::replay_workspace(*self->state.log, at);
      if (!workspace)
        return to_caf_error(workspace.error());
      return events::evaluate(*past, events::context_of(*workspace), at);
    },
    [=](snapshot_atom, const events::user_state& state) {
      if (auto saved = storage::save_user_snapshot(*self->state.log, state); !saved)
        CAF_LOG_WARNING("snapshot of" << state.id << "failed:" << describe(saved.error()));
    },
  };
}

} // namespace

loader_handle spawn_loader(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                           bool detached) {
  if (detached)
    return system.spawn<caf::detached>(loader, std::move(log));
  return system.spawn(loader, std::move(log));
}

} // namespace presence::actors
