#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "presence/actors/commands.hpp"
#include "presence/actors/histogram.hpp"
#include "presence/events/event.hpp"
#include "presence/events/presence.hpp"
#include "presence/events/result.hpp"
#include "presence/events/workspace_state.hpp"
#include "presence/storage/backup.hpp"
#include "presence/storage/durability.hpp"
#include "presence/storage/history.hpp"

namespace presence {

/// How an engine runs. Workspace settings (idle timeout, connection limit, flush interval…) are
/// not here: they live in the log as `setting_changed` events (`engine::set_setting`).
struct engine_config {
  std::string db_path = "./data";
  storage::durability sync = storage::durability::wal;
  std::size_t max_batch = 4096; ///< journal: events per group commit
  std::size_t directory_shards = 8;
  std::size_t broadcaster_shards = 4;
  /// Broadcaster ticks per flush interval, 1..64: each subscriber is flushed once per interval at
  /// its own tick (subscriber id modulo this), so a busy interval's deliveries leave in this many
  /// smaller bursts; 1 = every subscriber at once. A change still waits at most one interval
  /// (+ 1 ms when `flush_interval_ms` < this: ticks are at least 1 ms apart).
  uint32_t flush_phases = 10;
  std::chrono::seconds passivate_after{60};         ///< idle user actor lifetime
  uint64_t snapshot_every = 1000;                   ///< user events between snapshots
  std::chrono::milliseconds request_timeout{10000}; ///< blocking facade calls
  /// Queries at a past instant (`query` with `at`) queued or running at once, on two loaders of
  /// their own (not those that rebuild users); more are refused with `busy`.
  std::size_t max_history_reads = 64;
  /// Retention: user-stream events older than this are folded into per-stream snapshots and
  /// deleted (storage/retention.hpp), by a pass every `retention_interval` on a thread of the
  /// engine's own; 0 (the default here; presenced's is 90 days) = keep everything.
  std::chrono::seconds retention{0};
  std::chrono::seconds retention_interval{std::chrono::hours(1)};
  /// CAF worker threads of the actor system engine::open(config) creates (not of one passed in);
  /// 0 = one per hardware thread. They share one queue and sleep when it is empty (CAF's
  /// `sharing` policy): work stealing's polling took cores from the journal's writer.
  std::size_t scheduler_threads = 0;
  /// The clock the engine's events and deadlines follow; empty = the system clock. Replaceable
  /// for tests; the domain never reads a clock itself.
  std::function<events::instant()> clock;
  /// A cluster node that does not own the workspace stream (presence/cluster): its supervisor
  /// never turns the service on or off by itself; the owner's events do (engine_cluster.hpp).
  bool workspace_replica = false;
};

/// A user as Slack's `user_change` shows it: the workspace's record and the custom status in force
/// (always empty for a bot).
struct user_profile {
  events::user_record user;
  events::custom_status status;
};

/// What a subscriber receives (docs/design.md §5). One struct for every kind: a small surface.
struct notification {
  enum class kind : uint8_t {
    presence_change,         ///< `presence` + `users` (a batch of subjects)
    manual_presence_change,  ///< to the user's own subscriptions: `presence` = their manual mode's
                             ///< view
    user_status_changed,     ///< `users[0]` + `status`
    presence_service_status, ///< `service_enabled`, `reason`, `connections`, `limit`
    user_change,             ///< `profiles`: to every subscriber, whatever its subjects
    reconnect, ///< to subscriptions of `users[0]`'s own connections: the cluster node that owns
               ///< the user was lost; close the connection so that the client reconnects
               ///< (`reason`: `node_lost`). Never sent by a single node.
    credentials_changed, ///< to subscriptions without an owner: a token was revoked (`users`
                         ///< empty) or `users[0]` deactivated through another cluster node;
                         ///< re-check the credentials of open connections. Never sent by a
                         ///< single node (its API closes them itself).
  };
  kind type = kind::presence_change;
  events::presence_value presence = events::presence_value::offline;
  std::vector<std::string> users;
  events::custom_status status;
  bool service_enabled = true;
  std::string reason;  ///< presence_service_status while off: `connection_limit` or `admin`
  uint64_t connections = 0; ///< presence_service_status: open connections when it changed
  uint64_t limit = 0;       ///< presence_service_status: the connection limit (0 = none)
  /// user_change: the users whose status or always-active flag changed since this subscriber's
  /// last flush, each once with its latest profile, in id order. Shared, read-only, by every
  /// subscriber of the same flush.
  std::shared_ptr<const std::vector<user_profile>> profiles;
};

/// Called on a CAF worker thread (the broadcaster shard's, directly: there is no actor per
/// subscriber), one call at a time per subscription; each shard's notifications in order. Must
/// not block, and must not call the engine's blocking functions (it would wait on its own shard):
/// hand the note to your own thread or event loop.
using notification_callback = std::function<void(const notification&)>;

/// Counters since `engine::open`, for monitoring (`/metrics`). Read without waiting on any actor.
struct engine_stats {
  uint64_t users_resident = 0;           ///< user actors alive now
  uint64_t user_actor_restarts = 0;      ///< user actors rebuilt from the log after a crash
  uint64_t user_timers_armed = 0;        ///< deadline timers (idle, expiry) user actors started
  uint64_t events_appended = 0;          ///< events the journal wrote
  uint64_t journal_requests = 0;         ///< append requests received
  uint64_t journal_writes = 0;           ///< group commits (one `event_log::append` each)
  uint64_t journal_failed_writes = 0;    ///< writes that failed (every requester got the error)
  histogram journal_batch_events;        ///< events per write
  histogram journal_write_seconds;       ///< duration of each write
  histogram journal_commit_seconds;      ///< from a request's arrival to its write's end
  histogram broadcast_tick_late_seconds; ///< how late each broadcaster flush tick ran
  histogram broadcast_flush_seconds;     ///< duration of each tick's flush (batches to the sinks)
  // A cluster node's traffic with the other nodes (0 on a single node).
  uint64_t cluster_requests_sent = 0;     ///< commands and reads sent to other nodes
  uint64_t cluster_requests_served = 0;   ///< commands and reads other nodes sent here
  uint64_t cluster_relays_sent = 0;       ///< notifications sent to watching nodes (one per node)
  uint64_t cluster_relays_received = 0;   ///< notifications other nodes sent here
};

/// The whole presence capability as a library (docs/design.md §4). Thread-safe: call it from any
/// thread that is not one of the engine's own (a CAF worker: see `engine_caf.hpp`). Errors come
/// back as values with `presence::errc` codes; each command's own are listed in `commands.hpp`;
/// every call can also answer `timeout` (after `request_timeout`) and `shutting_down`.
///
/// Every request goes through one entry point, `submit`; the blocking form of each request is
/// derived from its non-blocking one by `run`, and the named members below are shorthands for
/// `run`/`run_async` of a `command::…` struct.
class engine {
 public:
  /// Every request the engine serves (`command::any`).
  using request = command::any;
  /// Every reply a request can have (`std::monostate` for the commands whose `reply` is void).
  using reply = command::any_reply;
  using status_callback = std::function<void(status)>;
  /// What `run_async` calls with the answer to a `C`: `status` for a command that replies
  /// nothing, else `result<C::reply>`.
  template <class C>
  using callback_for = std::conditional_t<std::is_void_v<typename C::reply>, status_callback,
                                          std::function<void(result<typename C::reply>)>>;
  /// What `run` returns for a `C`.
  template <class C>
  using result_for =
    std::conditional_t<std::is_void_v<typename C::reply>, status, result<typename C::reply>>;

  /// Opens the database, starts a new epoch, closes connections left open by earlier epochs
  /// (`disconnected(server_restart)`), then returns a ready engine on an actor system of its own.
  /// Errors: `storage_failure`, `corrupt_record`, `unsupported_version`, `disk_full`; running
  /// out of memory, threads or file descriptors meanwhile is `resource_exhausted`, not an
  /// exception, wherever the failure reaches the engine (CAF and RocksDB do not survive every
  /// such failure inside their own threads: docs/architecture.md, Errors). A host that runs its
  /// own CAF actor system opens the engine on it instead (`engine_caf.hpp`).
  [[nodiscard]] static result<std::unique_ptr<engine>> open(engine_config config);

  /// Clean shutdown (see `shutdown`).
  virtual ~engine() = default;
  /// Stops accepting work, flushes the journal, stops every actor. Idempotent.
  virtual status shutdown() = 0;

  /// Sends `request` and returns at once; `done` runs exactly once, on an engine thread (a CAF
  /// worker, or the engine's timeout thread after `request_timeout`), with the reply or the
  /// error. `done` must not block; post back to your own loop from it.
  virtual void submit(request req, std::function<void(result<reply>)> done) = 0;

  /// `submit` with the reply typed for `C`.
  template <class C>
  void run_async(C command, callback_for<C> done) {
    submit(request{std::move(command)}, [done = std::move(done)](result<reply> out) {
      if constexpr (std::is_void_v<typename C::reply>) {
        done(out ? status::success() : status{out.error()});
      } else {
        if (!out)
          return done(out.error());
        done(std::get<typename C::reply>(std::move(out.value())));
      }
    });
  }

  /// `run_async`, waiting for the answer. Not from an engine thread (it would wait on itself).
  template <class C>
  result_for<C> run(C command) {
    std::promise<result_for<C>> answer;
    auto future = answer.get_future();
    run_async(std::move(command),
              callback_for<C>{[&answer](result_for<C> out) { answer.set_value(std::move(out)); }});
    return future.get();
  }

  /// One of a user's commands, blocking.
  status execute(command::user_command command) {
    return std::visit([this](auto& c) -> status { return run(std::move(c)); }, command);
  }

  // --- shorthands (blocking) --------------------------------------------------------------
  status connect(const std::string& user, const std::string& conn, const std::string& client,
                 const origin& from = {}) {
    return run(command::connect{user, conn, client, from});
  }
  status disconnect(const std::string& user, const std::string& conn,
                    events::disconnect_reason reason = events::disconnect_reason::closed,
                    const origin& from = {}) {
    return run(command::disconnect{user, conn, reason, from});
  }
  status activity(const std::string& user, const std::string& conn, const origin& from = {}) {
    return run(command::activity{user, conn, from});
  }
  status set_presence(const std::string& user, events::manual_mode mode,
                      std::optional<events::instant> until = {}, const origin& from = {}) {
    return run(command::set_presence{user, mode, until, from});
  }
  status set_status(const std::string& user, const std::string& text, const std::string& emoji,
                    std::optional<events::unix_seconds> expiration = {}, const origin& from = {}) {
    return run(command::set_status{user, text, emoji, expiration, from});
  }
  status set_preferences(const std::string& user, std::chrono::seconds idle_timeout, bool auto_away,
                         const origin& from = {}) {
    return run(command::set_preferences{user, idle_timeout, auto_away, from});
  }
  status apply_preset(const std::string& user, const std::string& preset_id,
                      const origin& from = {}) {
    return run(command::apply_preset{user, preset_id, from});
  }
  result<events::presence_view> query(const std::string& user,
                                      std::optional<events::instant> at = {}) {
    return run(command::query{user, at});
  }
  result<events::user_record> create_user(const std::string& id, const std::string& name,
                                          bool admin, const origin& from = {}) {
    return run(command::create_user{id, name, admin, from});
  }
  status deactivate_user(const std::string& id, const origin& from = {}) {
    return run(command::deactivate_user{id, from});
  }
  result<issued_token> issue_token(const std::string& user, const origin& from = {}) {
    return run(command::issue_token{user, from});
  }
  status revoke_token(const std::string& token_id, const origin& from = {}) {
    return run(command::revoke_token{token_id, from});
  }
  result<identity> authenticate(const std::string& secret) {
    return run(command::authenticate{secret});
  }
  status set_setting(const std::string& key, const std::string& value, const origin& from = {}) {
    return run(command::set_setting{key, value, from});
  }
  result<events::preset> create_preset(const std::string& name, events::presence_value presence,
                                       const origin& from = {}) {
    return run(command::create_preset{name, presence, from});
  }
  status update_preset(const std::string& id, const std::string& name,
                       events::presence_value presence, const origin& from = {}) {
    return run(command::update_preset{id, name, presence, from});
  }
  status delete_preset(const std::string& id, const origin& from = {}) {
    return run(command::delete_preset{id, from});
  }
  status enable_service(const origin& from = {}) { return run(command::enable_service{from}); }
  status disable_service(const origin& from = {}) { return run(command::disable_service{from}); }

  // --- reads of what the engine holds in memory -------------------------------------------
  /// Presence of many users now; unknown and deactivated ids are skipped. Errors: `timeout`,
  /// `shutting_down`. `done` as for `submit`.
  using presence_list = std::vector<std::pair<std::string, events::presence_value>>;
  virtual void query_many_async(const std::vector<std::string>& users,
                                std::function<void(result<presence_list>)> done) = 0;
  /// `query_many_async`, waiting for the answer.
  result<presence_list> query_many(const std::vector<std::string>& users);
  /// The workspace settings. Errors: `timeout`, `shutting_down`.
  virtual result<events::workspace_settings> settings() = 0;
  /// Every preset. Errors: `timeout`, `shutting_down`.
  virtual result<std::vector<events::preset>> presets() = 0;
  /// Up to `limit` users (deactivated ones included) in id order, from the first id after
  /// `after` (empty = from the start), as the workspace state holds them: O(log n + limit), never
  /// the log. Errors: `timeout`, `shutting_down`.
  virtual result<std::vector<events::user_record>> users(const std::string& after,
                                                         std::size_t limit) = 0;

  struct service_state {
    bool enabled = true;
    uint64_t connections = 0; ///< open connections of the workspace (every cluster node's)
    uint64_t limit = 0;
    std::string reason;  ///< while off: `connection_limit` or `admin`; empty while on
    uint64_t node_connections = 0; ///< those of this engine's users (= connections on one node)
  };
  /// Whether the presence service is on, and the connection count against the limit. Errors:
  /// `timeout`, `shutting_down`.
  virtual result<service_state> service() = 0;

  /// Takes an online backup of the event log into the backup directory `dir` (see
  /// `storage::event_log::backup`: it holds every event acknowledged before the call; writes go on
  /// meanwhile). Not a request to the actors: blocking I/O on the calling thread, which must not
  /// be an actor's. Errors: `shutting_down`, `invalid_argument` (empty `dir`), `disk_full`,
  /// `storage_failure`.
  virtual result<storage::backup_info> backup(const std::string& dir) = 0;
  // --- reads of the log --------------------------------------------------------------------
  /// `user`'s history over [since, until) (`storage::history_between`): the user's state and the
  /// workspace's context before `since`, from checkpoints plus a short tail, then the events of
  /// both streams in the span: what `events::presence_timeline` replays for a report. Read from
  /// the log on the calling thread. Errors: `storage_failure`, `corrupt_record`.
  virtual result<storage::history_slice> history(const std::string& user, events::instant since,
                                                 events::instant until) = 0;

  // --- subscriptions -----------------------------------------------------------------------
  /// Registers a subscriber; returns its id. Notifications are batched over the workspace's
  /// `flush_interval_ms`. `owner` (a user id, or empty) receives `manual_presence_change` for
  /// that user: Slack sends it only to the user's own connections. Errors: `shutting_down`.
  virtual result<uint64_t> subscribe(notification_callback callback,
                                     const std::string& owner = {}) = 0;
  /// Replaces the subscriber's whole subject list (at most `max_subscription` ids, else
  /// `invalid_argument`, also for an id never returned or already unsubscribed). The
  /// current presence of newly added ids is sent at once (unknown and deactivated ids have none),
  /// before this returns for a callback subscriber; every change of them from then on follows,
  /// and none is lost to the subscription racing it.
  virtual status set_subscription(uint64_t subscriber, const std::vector<std::string>& users) = 0;
  /// Stops a subscription; its callback is not called once this returned. Error:
  /// `invalid_argument` (an unknown id).
  virtual status unsubscribe(uint64_t subscriber) = 0;

  /// Counters and histograms since open; never blocks, safe from any thread.
  virtual engine_stats stats() const = 0;

  // --- cluster (presence/cluster); a single node answers `not_clustered` -------------------
  struct cluster_member {
    std::string id;
    std::string url;             ///< its HTTP API, as it registered it
    std::string cluster_address; ///< HOST:PORT of its node-to-node endpoint
    bool alive = false;          ///< registered under a live etcd lease
    std::vector<uint32_t> partitions;
    uint64_t connections = 0;    ///< open connections of its users, as it last published
  };
  struct cluster_view {
    uint32_t partitions = 0;
    std::string workspace_owner;
    std::vector<cluster_member> nodes;
  };
  struct user_location {
    std::string user;
    uint32_t partition = 0;
    std::string node;
  };
  /// The cluster's members and partition map. Errors: `not_clustered`.
  virtual result<cluster_view> cluster() const {
    return error{errc::not_clustered, "this server runs as a single node"};
  }
  /// Which partition and node hold `user` (any id: the user need not exist). Errors:
  /// `not_clustered`, `invalid_user_id`.
  virtual result<user_location> locate(const std::string& user) const {
    (void)user;
    return error{errc::not_clustered, "this server runs as a single node"};
  }
};

} // namespace presence
