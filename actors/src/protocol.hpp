#pragma once

// The messages actors exchange inside the engine: one place for every atom and message type, so
// an upgrade to CAF's type-ID blocks touches only this file and register_types.cpp.
// Private to the actors module. All actors are untyped (`caf::actor`); each handler's signature is
// listed beside its atom: `(atom, args...) -> reply`. Errors travel as `caf::error` built from
// `presence::errc` (see errors.hpp), never as exceptions.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "presence/actors/engine.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"
#include "register_types.hpp"  // inspect overloads of every message type

namespace presence::actors {

// --- journal (one, detached; owns the RocksDB writer) ---------------------------------------
/// (append_atom, std::vector<event>) -> sequence of the first event, only after the write.
using append_atom = caf::atom_constant<caf::atom("append")>;
/// (append_atom, std::vector<event>, stored_atom) -> std::vector<event> as stored (sequences
/// assigned, timestamps clamped to keep the log time-ordered), only after the write. User actors
/// use this form so that what they fold equals what a replay folds.
using stored_atom = caf::atom_constant<caf::atom("stored")>;
/// (commit_atom) journal -> itself: write what has queued (group commit).
using commit_atom = caf::atom_constant<caf::atom("commit")>;
/// (get_atom, stats_atom) -> (uint64_t writes, uint64_t events, uint64_t requests)  journal counters
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// --- loader (detached; the only other place that reads RocksDB) -------------------------------
/// (load_atom, std::string user) -> events::user_state            (snapshot + tail)
/// (load_atom, std::string user, timestamp_us at) -> events::presence_view (presence at instant
///   `at`, evaluated under the workspace settings and service switch in force at `at`)
/// (snapshot_atom, events::user_state) -> void                    (fire and forget)
using load_atom = caf::atom_constant<caf::atom("load")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;

// --- user commands: engine -> directory shard (forwards with delegate) -> user actor ----------
// Every command carries the user id first (for the directory) and ends with `by`, `via`.
/// (connect_atom, user, conn, client, by, via) -> caf::unit / error
using connect_atom = caf::atom_constant<caf::atom("connect")>;
/// (disconnect_atom, user, conn, events::disconnect_reason, by, via) -> unit / error
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
/// (activity_atom, user, conn, by, via) -> unit / error
using activity_atom = caf::atom_constant<caf::atom("activity")>;
/// (set_presence_atom, user, events::manual_mode, timestamp_us until, by, via) -> unit / error
using set_presence_atom = caf::atom_constant<caf::atom("setpres")>;
/// (set_status_atom, user, text, emoji, int64_t expiration, by, via) -> unit / error
using set_status_atom = caf::atom_constant<caf::atom("setstatus")>;
/// (set_prefs_atom, user, int64_t idle_timeout, bool auto_away, by, via) -> unit / error
using set_prefs_atom = caf::atom_constant<caf::atom("setprefs")>;
/// (query_atom, user) -> events::presence_view                     (from memory)
/// (query_atom, user, timestamp_us at) -> events::presence_view    (from the log, via the loader)
using query_atom = caf::atom_constant<caf::atom("query")>;
/// (timer_atom, timestamp_us deadline) user actor -> itself: a presence deadline (idle, expiry).
using timer_atom = caf::atom_constant<caf::atom("timer")>;
/// (passivate_atom) directory shard -> a user actor it forwarded nothing to for passivate_after:
/// the actor answers with quiescent_atom when it has no connection and no deadline. Also the
/// shard's own periodic sweep timer.
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;

// --- directory shard --------------------------------------------------------------------------
/// (quiescent_atom, user, uint64_t commands_handled) from a user actor idle for passivate_after
/// with no connection and no timer: the shard stops it iff it has forwarded exactly that many
/// commands (nothing in flight), else ignores it.
using quiescent_atom = caf::atom_constant<caf::atom("quiescent")>;
/// (users_atom, std::vector<events::user_record>) from the supervisor: the known users (initial
/// list, then each creation / deactivation as a one-element vector).
using users_atom = caf::atom_constant<caf::atom("users")>;
/// (context_atom, events::presence_context, int64_t activity_log_interval) from the supervisor:
/// forwarded by directory shards to every resident user actor and kept for new ones.
using context_atom = caf::atom_constant<caf::atom("context")>;

// --- supervisor (one per workspace) -----------------------------------------------------------
/// (conn_delta_atom, int64_t delta) from user actors after logging connected (+1) /
/// disconnected (-1). The supervisor enforces connection_limit from these counts.
using conn_delta_atom = caf::atom_constant<caf::atom("conndelta")>;
/// (attach_atom, std::vector<caf::actor> directory_shards, std::vector<caf::actor> broadcasters
/// [, bool users_known]) to the supervisor; (attach_atom, std::vector<caf::actor>
/// directory_shards) to each broadcaster shard (where it reads initial presence).
using attach_atom = caf::atom_constant<caf::atom("attach")>;
// Admin requests, each (atom, args..., by, via) -> reply:
/// (create_user_atom, id, name, bool admin, by, via) -> events::user_record
using create_user_atom = caf::atom_constant<caf::atom("mkuser")>;
/// (deactivate_atom, id, by, via) -> unit
using deactivate_atom = caf::atom_constant<caf::atom("deactuser")>;
/// (issue_token_atom, user, by, via) -> presence::issued_token
using issue_token_atom = caf::atom_constant<caf::atom("mktoken")>;
/// (revoke_token_atom, token_id, by, via) -> unit
using revoke_token_atom = caf::atom_constant<caf::atom("rmtoken")>;
/// (auth_atom, secret) -> events::user_record     (unknown_token / user_deactivated)
using auth_atom = caf::atom_constant<caf::atom("auth")>;
/// (set_setting_atom, key, value, by, via) -> unit;  (get_atom, settings_atom) -> workspace_settings
using set_setting_atom = caf::atom_constant<caf::atom("setsetting")>;
using settings_atom = caf::atom_constant<caf::atom("settings")>;
/// (preset_create_atom, name, presence_value, by, via) -> events::preset
/// (preset_update_atom, id, name, presence_value, by, via) -> unit
/// (preset_delete_atom, id, by, via) -> unit;   (get_atom, presets_atom) -> std::vector<preset>
using preset_create_atom = caf::atom_constant<caf::atom("mkpreset")>;
using preset_update_atom = caf::atom_constant<caf::atom("updpreset")>;
using preset_delete_atom = caf::atom_constant<caf::atom("rmpreset")>;
using presets_atom = caf::atom_constant<caf::atom("presets")>;
/// (enable_atom, by, via) -> unit     (connection_limit_exceeded while count >= limit)
using enable_atom = caf::atom_constant<caf::atom("enable")>;
/// (get_atom, service_atom) -> engine::service_state
using service_atom = caf::atom_constant<caf::atom("service")>;

// --- broadcaster shards (by subject user) -------------------------------------------------------
/// (changed_atom, user, uint8_t changes, events::presence_value, events::custom_status,
///  events::manual_mode) from a user actor, once per command that changed what subscribers see:
/// `changes` holds the `change_bits` of the values that are new (the others are left default and
/// ignored). Handled in the order presence (batched), status, manual (both at once, the manual
/// mode to subscribers owned by `user`). One message instead of one per value.
using changed_atom = caf::atom_constant<caf::atom("changed")>;
enum change_bits : uint8_t {
  change_presence = 1,
  change_status = 2,
  change_manual = 4,
};
/// (service_atom, bool enabled) from the supervisor -> presence_service_status to everyone
/// (subscribe_atom, uint64_t id, caf::actor sink, std::string owner)    -> unit
/// (subscribe_atom, uint64_t id, std::vector<std::string> subjects_of_this_shard,
///  std::vector<std::pair<std::string, events::presence_value>> initial) -> unit
///   replaces that subscriber's subjects held by this shard; `initial` (the engine queried it)
///   is sent at once for newly added subjects.
/// (unsubscribe_atom, uint64_t id) -> unit
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsub")>;
/// (settings_atom, events::workspace_settings) from the supervisor (flush interval, max ids).
/// Sinks receive `presence::notification` messages.

} // namespace presence::actors
