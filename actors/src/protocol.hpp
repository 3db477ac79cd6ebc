#pragma once

// The messages actors exchange inside the engine. The requests of the facade are the structs of
// `presence/actors/commands.hpp` (engine::request), sent as they are; their contracts are there.
// What only actors say to each other is listed here: the internal structs, and atoms with each
// handler's signature beside them, `(atom, args...) -> reply`. Private to the actors module.
// Errors travel as `caf::error` built from `presence::errc` (see errors.hpp), never as
// exceptions.

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <caf/all.hpp>

#include "presence/actors/commands.hpp"
#include "presence/actors/engine.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/user_state.hpp"
#include "presence/events/workspace_state.hpp"
#include "register_types.hpp" // inspect overloads of every message type

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
/// (get_atom, stats_atom) -> (uint64_t writes, uint64_t events, uint64_t requests)  journal
/// counters
using stats_atom = caf::atom_constant<caf::atom("stats")>;
/// The journal's handle: a message it does not take is a compile error.
using journal_handle =
  caf::typed_actor<caf::replies_to<append_atom, std::vector<events::event>>::with<events::sequence>,
                   caf::replies_to<append_atom, std::vector<events::event>,
                                   stored_atom>::with<std::vector<events::event>>,
                   caf::reacts_to<commit_atom>,
                   caf::replies_to<caf::get_atom, stats_atom>::with<uint64_t, uint64_t, uint64_t>>;

// --- loader (detached; the only other place that reads RocksDB) -------------------------------
/// (load_atom, std::string user) -> events::user_state            (snapshot + tail)
/// (load_atom, std::string user, timestamp_us at) -> events::presence_view (presence at instant
///   `at`, evaluated under the workspace settings and service switch in force at `at`)
/// (snapshot_atom, events::user_state) -> void                    (fire and forget)
using load_atom = caf::atom_constant<caf::atom("load")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
/// A loader's handle.
using loader_handle = caf::typed_actor<
  caf::replies_to<load_atom, std::string>::with<events::user_state>,
  caf::replies_to<load_atom, std::string, events::timestamp_us>::with<events::presence_view>,
  caf::reacts_to<snapshot_atom, events::user_state>>;

// --- user commands: engine -> directory shard (forwards with delegate) -> user actor ----------
// The command structs with a `user` field (command::connect … command::apply_preset,
// command::query) and `use_preset` below; each replies as its `reply` says (`caf::unit` for
// void) or with an error.

/// command::apply_preset as the supervisor resolved it: the preset's name as status text and its
/// manual mode, written by the user actor in one append.
struct use_preset {
  std::string user;
  std::string preset_id;
  std::string text;
  events::manual_mode mode = events::manual_mode::automatic;
  origin from;
  template <class F>
  auto fields(F&& f) {
    return f(user, preset_id, text, mode, from);
  }
};

/// The structs only actors exchange (registered with CAF beside engine::request).
using internal_message = std::variant<use_preset>;

/// Whether a request is served by the actor of the user it names (reached through that user's
/// directory shard). Every other request goes to the supervisor, apply_preset included: it needs
/// the presets, and the supervisor hands the shard a `use_preset`.
template <class T>
inline constexpr bool routed_to_user =
  command::served_by_user_actor<T> || std::is_same_v<T, use_preset>;

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
// The workspace commands (command::create_user … command::enable_service, command::authenticate)
// and command::apply_preset, which it resolves and delegates to the user's directory shard as a
// `use_preset`.
/// (replicate_atom, std::vector<event>) -> uint64_t applied: a cluster replica appends events of
/// the workspace owner's stream as recorded there, then applies them (engine_cluster.hpp).
using replicate_atom = caf::atom_constant<caf::atom("replicate")>;
/// (peers_atom, uint64_t connections) to the supervisor: the other cluster nodes' connections.
using peers_atom = caf::atom_constant<caf::atom("peers")>;
/// (get_atom, settings_atom) -> events::workspace_settings
using settings_atom = caf::atom_constant<caf::atom("settings")>;
/// (get_atom, presets_atom) -> std::vector<events::preset>
using presets_atom = caf::atom_constant<caf::atom("presets")>;
/// (get_atom, users_atom, std::string after, uint64_t limit) -> std::vector<events::user_record>
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
/// (profile_atom, user, events::custom_status) user actor -> supervisor: `user`'s status in force
///   changed (set, cleared, expired); the supervisor adds the user's record and sends shard 0
/// (profile_atom, events::user_record, events::custom_status) supervisor -> broadcaster shard 0:
///   a user's profile changed (status, or a bot's always-active flag): `user_change` to every
///   subscriber at its next tick, coalesced per user (the latest profile once)
using profile_atom = caf::atom_constant<caf::atom("profile")>;
/// (service_atom, engine::service_state) from the supervisor -> presence_service_status to everyone
/// (subscribe_atom, uint64_t id, caf::actor | callback_sink_ptr sink, std::string owner) -> unit
///   registers a subscriber (shard 0 and the owner's shard; `invalid_argument` for no sink)
/// (subscribe_atom, uint64_t id, std::vector<std::string> subjects_of_this_shard) -> unit
///   replaces that registered subscriber's subjects held by this shard
/// (subscribe_atom, uint64_t id, caf::actor | callback_sink_ptr sink,
///  std::vector<std::string> subjects_of_this_shard) -> unit
///   the same for a subscriber this shard meets for the first time (registers it too)
///   Newly added subjects' current presence is read from their user actors (through the
///   directory shards of `attach_atom`) and sent before the reply.
/// (unsubscribe_atom, uint64_t id) -> unit
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsub")>;
/// (settings_atom, events::workspace_settings) from the supervisor (flush interval, max ids).
/// Sinks receive `presence::notification` messages.

// --- typed handles: a message the receiver does not take is a compile error ------------------

struct callback_sink; // broadcaster.hpp
using callback_sink_ptr = std::shared_ptr<callback_sink>;

/// What a user actor tells its subject's broadcaster shard.
using change_sink = caf::typed_actor<
  caf::reacts_to<changed_atom, std::string, uint8_t, events::presence_value, events::custom_status,
                 events::manual_mode>>;

/// What the supervisor tells the broadcaster shards (`profile_atom`: shard 0 only).
using workspace_listener =
  caf::typed_actor<caf::reacts_to<service_atom, engine::service_state>,
                   caf::reacts_to<settings_atom, events::workspace_settings>,
                   caf::reacts_to<profile_atom, events::user_record, events::custom_status>>;

/// A broadcaster shard (broadcaster.hpp); `tick_atom` is its own flush timer.
using broadcaster_handle = change_sink::extend_with<workspace_listener>::extend<
  caf::reacts_to<subscribe_atom, uint64_t, caf::actor, std::string>,
  caf::reacts_to<subscribe_atom, uint64_t, callback_sink_ptr, std::string>,
  caf::reacts_to<subscribe_atom, uint64_t, std::vector<std::string>>,
  caf::reacts_to<subscribe_atom, uint64_t, caf::actor, std::vector<std::string>>,
  caf::reacts_to<subscribe_atom, uint64_t, callback_sink_ptr, std::vector<std::string>>,
  caf::reacts_to<unsubscribe_atom, uint64_t>, caf::reacts_to<attach_atom, std::vector<caf::actor>>,
  caf::reacts_to<caf::tick_atom, uint64_t>>;

/// What a user actor tells the supervisor: its connection count changes and its status in force.
using user_reports = caf::typed_actor<caf::reacts_to<conn_delta_atom, int64_t>,
                                      caf::reacts_to<profile_atom, std::string, events::custom_status>>;

/// What a supervisor handler of command `C` answers: its `reply`, or an error.
template <class C>
using answer = caf::result<typename C::reply>;

namespace detail {
/// `Handle` extended with `C -> C::reply` for every `C` of `Cs` the supervisor serves.
template <class Handle, class... Cs>
struct with_workspace_commands {
  using type = Handle;
};
template <class Handle, class C, class... Cs>
struct with_workspace_commands<Handle, C, Cs...> {
  using extended = std::conditional_t<
    routed_to_user<C>, Handle,
    typename Handle::template extend<
      typename caf::replies_to<C>::template with<typename C::reply>>>;
  using type = typename with_workspace_commands<extended, Cs...>::type;
};
template <class Handle, class Any>
struct with_commands_of;
template <class Handle, class... Cs>
struct with_commands_of<Handle, std::variant<Cs...>> : with_workspace_commands<Handle, Cs...> {};
} // namespace detail

/// The workspace supervisor (supervisor.hpp): its own messages, then every command of
/// `command::any` that is not `routed_to_user`.
using supervisor_handle = typename detail::with_commands_of<
  user_reports::extend<
    caf::reacts_to<attach_atom, std::vector<caf::actor>, std::vector<workspace_listener>>,
    caf::reacts_to<attach_atom, std::vector<caf::actor>, std::vector<workspace_listener>, bool>,
    caf::replies_to<caf::get_atom, settings_atom>::with<events::workspace_settings>,
    caf::replies_to<caf::get_atom, presets_atom>::with<std::vector<events::preset>>,
    caf::replies_to<caf::get_atom, users_atom, std::string,
                    uint64_t>::with<std::vector<events::user_record>>,
    caf::replies_to<caf::get_atom, service_atom>::with<engine::service_state>,
    caf::replies_to<replicate_atom, std::vector<events::event>>::with<uint64_t>,
    caf::reacts_to<peers_atom, uint64_t>>,
  command::any>::type;

} // namespace presence::actors
