#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "presence/actors/histogram.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/backup.hpp"
#include "presence/storage/event_log.hpp"

namespace caf {
class actor_system;
class actor_system_config;
class actor;
} // namespace caf

namespace presence {

/// How an engine runs. Workspace settings (idle timeout, connection limit, flush interval…) are
/// not here: they live in the log as `setting_changed` events (`engine::set_setting`).
struct engine_config {
  std::string db_path = "./data";
  storage::durability sync = storage::durability::wal;
  std::size_t max_batch = 4096;                        ///< journal: events per group commit
  std::chrono::microseconds journal_interval{500};     ///< journal: longest wait to fill a batch
  std::size_t directory_shards = 8;
  std::size_t broadcaster_shards = 4;
  /// Broadcaster ticks per flush interval, 1..64: each subscriber is flushed once per interval at
  /// its own tick (subscriber id modulo this), so a busy interval's deliveries leave in this many
  /// smaller bursts; 1 = every subscriber at once. A change still waits at most one interval
  /// (+ 1 ms when `flush_interval_ms` < this: ticks are at least 1 ms apart).
  uint32_t flush_phases = 10;
  std::chrono::seconds passivate_after{60};            ///< idle user actor lifetime
  uint64_t snapshot_every = 1000;                      ///< user events between snapshots
  std::chrono::milliseconds request_timeout{10000};    ///< blocking facade calls
  /// CAF worker threads of the actor system engine::open(config) creates (not of one passed in);
  /// 0 = one per hardware thread. They share one queue and sleep when it is empty (CAF's
  /// `sharing` policy): work stealing's polling took cores from the journal's writer.
  std::size_t scheduler_threads = 0;
  /// The clock, in µs since the Unix epoch. Replaceable for tests; the domain never reads it.
  std::function<events::timestamp_us()> clock;
};

/// Who asked for a change and from where (the `by` and `via` of the resulting event).
struct origin {
  std::string by;   ///< acting user or admin id; empty = the subject user itself
  std::string via;  ///< connection id or API method
};

/// What a subscriber receives (DESIGN §5). One struct for every kind, to keep the surface small.
struct notification {
  enum class kind : uint8_t {
    presence_change,          ///< `presence` + `users` (a batch of subjects)
    manual_presence_change,   ///< to the user's own subscriptions: `presence` = their manual mode's view
    user_status_changed,      ///< `users[0]` + `status`
    presence_service_status,  ///< `service_enabled`
  };
  kind type = kind::presence_change;
  events::presence_value presence = events::presence_value::offline;
  std::vector<std::string> users;
  events::custom_status status;
  bool service_enabled = true;
};

/// Called on a CAF worker thread (the broadcaster shard's, directly: there is no actor per
/// subscriber), one call at a time per subscription; each shard's notifications in order. Must
/// not block, and must not call the engine's blocking functions (it would wait on its own shard):
/// hand the note to your own thread or event loop.
using notification_callback = std::function<void(const notification&)>;

/// An issued token: `secret` is shown once and never stored (only its SHA-256).
struct issued_token {
  std::string id;
  std::string user;
  std::string secret;
};

/// Counters since `engine::open`, for monitoring (`/metrics`). Read without waiting on any actor.
struct engine_stats {
  uint64_t users_resident = 0;        ///< user actors alive now
  uint64_t user_actor_restarts = 0;   ///< user actors rebuilt from the log after a crash
  uint64_t user_timers_armed = 0;     ///< deadline timers (idle, expiry) user actors started
  uint64_t events_appended = 0;       ///< events the journal wrote
  uint64_t journal_requests = 0;      ///< append requests received
  uint64_t journal_writes = 0;        ///< group commits (one `event_log::append` each)
  uint64_t journal_failed_writes = 0; ///< writes that failed (every requester got the error)
  histogram journal_batch_events;     ///< events per write
  histogram journal_write_seconds;    ///< duration of each write
  histogram journal_commit_seconds;   ///< from a request's arrival to its write's end
  histogram broadcast_tick_late_seconds; ///< how late each broadcaster flush tick ran
  histogram broadcast_flush_seconds;  ///< duration of each tick's flush (batches to the sinks)
};

/// The whole presence capability as a library (DESIGN §4). All member functions are blocking and
/// thread-safe: call them from any non-actor thread (not from inside a CAF actor). Errors come
/// back as values with `presence::errc` codes: `unknown_user`, `invalid_*`, `storage_failure`,
/// `disk_full`, `timeout`, `shutting_down`…
class engine {
 public:
  /// Opens the database, starts a new epoch, closes connections left open by earlier epochs
  /// (`disconnected(server_restart)`), then returns a ready engine on its own actor system.
  /// Running out of memory, threads or file descriptors meanwhile is `resource_exhausted`, not an
  /// exception, wherever the failure reaches the engine (CAF and RocksDB do not survive every such
  /// failure inside their own threads: docs/architecture.md, Errors).
  [[nodiscard]] static result<std::unique_ptr<engine>> open(engine_config config);
  /// Same, on an actor system the host already runs (its config must have called
  /// `engine::register_types`).
  [[nodiscard]] static result<std::unique_ptr<engine>> open(caf::actor_system& system,
                                                            engine_config config);
  /// Registers the engine's message types and error category with a host's CAF config. Call it
  /// before constructing the host's `caf::actor_system`.
  static void register_types(caf::actor_system_config& config);

  /// Clean shutdown (see `shutdown`).
  virtual ~engine() = default;
  /// Stops accepting work, flushes the journal, stops every actor. Idempotent.
  virtual status shutdown() = 0;

  // --- connections and activity ------------------------------------------------------
  virtual status connect(const std::string& user, const std::string& conn,
                         const std::string& client, const origin& from = {}) = 0;
  virtual status disconnect(const std::string& user, const std::string& conn,
                            events::disconnect_reason reason = events::disconnect_reason::closed,
                            const origin& from = {}) = 0;
  virtual status activity(const std::string& user, const std::string& conn,
                          const origin& from = {}) = 0;

  // --- a user's own choices --------------------------------------------------------------
  /// `until` in µs since the epoch, 0 = no expiry.
  virtual status set_presence(const std::string& user, events::manual_mode mode,
                              events::timestamp_us until = 0, const origin& from = {}) = 0;
  /// `expiration` in Unix seconds, 0 = never. Empty text and emoji clear the status.
  virtual status set_status(const std::string& user, const std::string& text,
                            const std::string& emoji, int64_t expiration = 0,
                            const origin& from = {}) = 0;
  /// `idle_timeout` in seconds, 0 = workspace default.
  virtual status set_preferences(const std::string& user, int64_t idle_timeout, bool auto_away,
                                 const origin& from = {}) = 0;
  /// Applies a preset: text = its name, manual presence from its presence value.
  virtual status apply_preset(const std::string& user, const std::string& preset_id,
                              const origin& from = {}) = 0;

  // --- queries (never touch the log unless `at` is given) ---------------------------------
  /// The presence of `user` now, or at instant `at` (µs; rebuilt from the log).
  virtual result<events::presence_view> query(const std::string& user,
                                              std::optional<events::timestamp_us> at = {}) = 0;
  /// Presence of many users now (unknown ids are skipped).
  virtual result<std::vector<std::pair<std::string, events::presence_value>>> query_many(
    const std::vector<std::string>& users) = 0;

  // --- non-blocking forms for event loops (the HTTP/WebSocket gateway) --------------------
  // Each sends the command and returns at once; `done` runs exactly once, on a CAF worker thread
  // (a `timeout`, after `request_timeout`: on the engine's timeout thread), with the same result
  // the blocking form would return. `done` must not block; post back to your own loop from it.
  using status_callback = std::function<void(status)>;
  virtual void connect_async(const std::string& user, const std::string& conn,
                             const std::string& client, const origin& from,
                             status_callback done) = 0;
  virtual void disconnect_async(const std::string& user, const std::string& conn,
                                events::disconnect_reason reason, const origin& from,
                                status_callback done) = 0;
  virtual void activity_async(const std::string& user, const std::string& conn,
                              const origin& from, status_callback done) = 0;
  virtual void set_presence_async(const std::string& user, events::manual_mode mode,
                                  events::timestamp_us until, const origin& from,
                                  status_callback done) = 0;
  virtual void set_status_async(const std::string& user, const std::string& text,
                                const std::string& emoji, int64_t expiration, const origin& from,
                                status_callback done) = 0;
  virtual void query_async(const std::string& user, std::optional<events::timestamp_us> at,
                           std::function<void(result<events::presence_view>)> done) = 0;
  virtual void query_many_async(
    const std::vector<std::string>& users,
    std::function<void(result<std::vector<std::pair<std::string, events::presence_value>>>)>
      done) = 0;

  // --- subscriptions -----------------------------------------------------------------------
  /// Registers a subscriber; returns its id. Notifications are batched over `flush_interval_ms`.
  /// `owner` (a user id, or empty) receives `manual_presence_change` for that user: Slack sends it
  /// only to the user's own connections.
  virtual result<uint64_t> subscribe(notification_callback callback,
                                     const std::string& owner = {}) = 0;
  /// Same, delivering `notification` messages to a CAF actor of the host.
  virtual result<uint64_t> subscribe(const caf::actor& receiver, const std::string& owner = {}) = 0;
  /// Replaces the subscriber's whole subject list (at most `max_subscription` ids, else
  /// `invalid_argument`). The current presence of newly added ids is sent at once (unknown and
  /// deactivated ids have none), before this returns for a callback subscriber; every change of
  /// them from then on follows, and none is lost to the subscription racing it.
  virtual status set_subscription(uint64_t subscriber, const std::vector<std::string>& users) = 0;
  virtual status unsubscribe(uint64_t subscriber) = 0;

  // --- workspace administration (every call is an event: the audit trail) -----------------
  virtual result<events::user_record> create_user(const std::string& id, const std::string& name,
                                                  bool admin, const origin& from = {}) = 0;
  virtual status deactivate_user(const std::string& id, const origin& from = {}) = 0;
  virtual result<issued_token> issue_token(const std::string& user, const origin& from = {}) = 0;
  virtual status revoke_token(const std::string& token_id, const origin& from = {}) = 0;
  /// The user a secret belongs to; `unknown_token` when it matches no token, `token_revoked`
  /// when it matched one that was revoked, `user_deactivated` for a deactivated owner.
  virtual result<events::user_record> authenticate(const std::string& secret) = 0;
  virtual status set_setting(const std::string& key, const std::string& value,
                             const origin& from = {}) = 0;
  virtual result<events::workspace_settings> settings() = 0;
  virtual result<events::preset> create_preset(const std::string& name,
                                               events::presence_value presence,
                                               const origin& from = {}) = 0;
  virtual status update_preset(const std::string& id, const std::string& name,
                               events::presence_value presence, const origin& from = {}) = 0;
  virtual status delete_preset(const std::string& id, const origin& from = {}) = 0;
  virtual result<std::vector<events::preset>> presets() = 0;
  /// Turns the presence service back on; `connection_limit_exceeded` while at or above the limit.
  virtual status enable_service(const origin& from = {}) = 0;

  struct service_state {
    bool enabled = true;
    uint64_t connections = 0;
    uint64_t limit = 0;
  };
  virtual result<service_state> service() = 0;

  /// Takes an online backup of the event log into the backup directory `dir` (see
  /// `storage::event_log::backup`: it holds every event acknowledged before the call; writes go on
  /// meanwhile). Blocking I/O on the calling thread, which must not be an actor's. Errors:
  /// `shutting_down`, `invalid_argument` (empty `dir`), `disk_full`, `storage_failure`.
  virtual result<storage::backup_info> backup(const std::string& dir) = 0;

  /// Counters and histograms since open; never blocks, safe from any thread.
  virtual engine_stats stats() const = 0;

  /// The actor system the engine runs on.
  virtual caf::actor_system& system() = 0;
};

} // namespace presence
