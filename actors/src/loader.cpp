#include "loader.hpp"

#include <string>
#include <utility>

#include <caf/all.hpp>

#include "errors.hpp"
#include "presence/storage/history.hpp"
#include "presence/storage/recovery.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace {

struct loader_state {
  std::shared_ptr<storage::event_log> log;
  std::shared_ptr<history_gate> gate;
  static inline const char* name = "presence.loader";
};

using loader_actor = loader_handle::stateful_pointer<loader_state>;

caf::result<events::user_state> reply(result<events::user_state> loaded) {
  if (!loaded)
    return to_caf_error(loaded.error());
  return std::move(loaded.value());
}

/// The presence of `user` at `at`, storing checkpoints of long folds (a failure to store one is
/// logged: checkpoints are an optimisation only).
result<events::presence_view> presence_at(storage::event_log& log, const std::string& user,
                                          events::timestamp_us at) {
  // The presence at `at` under the workspace as it was then (service switch, idle timeout),
  // not as it is now: both folds stop at `at`.
  auto past = storage::user_state_at(log, user, at);
  if (!past)
    return past.error();
  auto context = storage::context_at(log, at);
  if (!context)
    return context.error();
  if (log.options().mode == storage::open_mode::read_write) {
    if (past->folded >= history_checkpoint_after)
      if (auto saved = storage::save_user_checkpoint(log, past->state); !saved)
        CAF_LOG_WARNING("checkpoint of" << user << "failed:" << describe(saved.error()));
    if (context->folded >= history_checkpoint_after)
      if (auto saved = storage::save_context_checkpoint(log, context->context, context->seq); !saved)
        CAF_LOG_WARNING("workspace checkpoint failed:" << describe(saved.error()));
  }
  return events::evaluate(past->state, context->context, at);
}

loader_handle::behavior_type loader(loader_actor self, std::shared_ptr<storage::event_log> log,
                                    std::shared_ptr<history_gate> gate) {
  self->state.log = std::move(log);
  self->state.gate = std::move(gate);
  return {
    [=](load_atom, const std::string& user) {
      return reply(storage::recover_user(*self->state.log, user));
    },
    [=](load_atom, const std::string& user,
        events::timestamp_us at) -> caf::result<events::presence_view> {
      auto view = presence_at(*self->state.log, user, at);
      if (self->state.gate)
        self->state.gate->leave();
      if (!view)
        return to_caf_error(view.error());
      return std::move(view.value());
    },
    [=](snapshot_atom, const events::user_state& state) {
      if (auto saved = storage::save_user_snapshot(*self->state.log, state); !saved)
        CAF_LOG_WARNING("snapshot of" << state.id << "failed:" << describe(saved.error()));
    },
  };
}

} // namespace

loader_handle spawn_loader(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                           bool detached, std::shared_ptr<history_gate> gate) {
  if (detached)
    return system.spawn<caf::detached>(loader, std::move(log), std::move(gate));
  return system.spawn(loader, std::move(log), std::move(gate));
}

} // namespace presence::actors
