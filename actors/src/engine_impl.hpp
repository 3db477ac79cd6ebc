#pragma once

// The engine facade's implementation (presence::engine). Split by concern:
// engine_open.cpp (start-up, shutdown), engine_commands.cpp (user commands and queries),
// engine_async.cpp (non-blocking forms), engine_admin.cpp (workspace administration),
// engine_subscribe.cpp (subscriptions). Private to the actors module.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "broadcaster.hpp"
#include "directory.hpp"
#include "engine_counters.hpp"
#include "errors.hpp"
#include "presence/actors/engine.hpp"
#include "protocol.hpp"
#include "request_gateway.hpp"
#include "retention_task.hpp"

namespace presence::actors {

/// The `T` a reply carries, or its error.
template <class T>
result<T> unpack(caf::expected<caf::message>& reply) {
  if (!reply)
    return from_caf_error(reply.error());
  if (!reply->match_elements<T>())
    return error{errc::invalid_argument, "unexpected reply: " + caf::to_string(*reply)};
  return std::move(reply->get_mutable_as<T>(0));
}

/// Counts facade calls in flight so that shutdown can wait for them.
class call_tracker {
 public:
  /// Registers a call; false (and nothing registered) once `close` was called.
  bool enter();
  void leave();
  /// Refuses new calls and waits up to `limit` for the running ones.
  void close_and_drain(std::chrono::milliseconds limit);

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  uint64_t running_ = 0;
  bool closed_ = false;
};

/// The actor system config of an engine that runs its own system: the engine's message types and
/// `threads` workers (0 = one per hardware thread) on CAF's `sharing` scheduler.
struct engine_system_config : caf::actor_system_config {
  explicit engine_system_config(std::size_t threads);
};

/// engine::open's guard: runs `open` and turns what a host short of resources throws into an
/// error value. std::bad_alloc, and a std::system_error saying threads, memory or file
/// descriptors ran out (EAGAIN, ENOMEM, EMFILE, ENFILE), are `resource_exhausted`; another
/// std::system_error (a file system call) is `storage_failure`. Other exceptions pass through.
/// Whatever `open` had started is stopped by the half-built engine's destructor as it unwinds.
result<std::unique_ptr<engine>>
open_guarded(const std::function<result<std::unique_ptr<engine>>()>& open);

class engine_impl final : public engine {
 public:
  /// Starts an engine on `system` (owned by `own`, when set). See engine::open.
  static result<std::unique_ptr<engine>> start(caf::actor_system& system,
                                               std::unique_ptr<caf::actor_system> own,
                                               std::unique_ptr<engine_system_config> own_config,
                                               engine_config config);

  ~engine_impl() override;

  status shutdown() override;

  void submit(request req, std::function<void(result<reply>)> done) override;
  void query_many_async(const std::vector<std::string>& users,
                        std::function<void(result<presence_list>)> done) override;
  result<events::workspace_settings> settings() override;
  result<std::vector<events::preset>> presets() override;
  result<service_state> service() override;
  result<storage::backup_info> backup(const std::string& dir) override;
  result<std::vector<events::user_record>> users(const std::string& after,
                                                 std::size_t limit) override;
  result<storage::history_slice> history(const std::string& user, events::instant since,
                                             events::instant until) override;

  result<uint64_t> subscribe(notification_callback callback, const std::string& owner) override;
  status set_subscription(uint64_t subscriber, const std::vector<std::string>& users) override;
  status unsubscribe(uint64_t subscriber) override;
  engine_stats stats() const override;

  /// `presence::subscribe_actor` (engine_caf.hpp).
  result<uint64_t> subscribe_actor(const caf::actor& receiver, const std::string& owner);
  /// The actor system the engine runs on.
  caf::actor_system& system() { return system_; }

  /// engine_cluster.hpp (engine_cluster.cpp).
  result<std::vector<events::event>> workspace_events(events::sequence from, std::size_t limit);
  result<uint64_t> replicate_workspace(std::vector<events::event> events);
  status set_peer_connections(uint64_t connections);

 private:
  engine_impl(caf::actor_system& system, std::unique_ptr<caf::actor_system> own,
              std::unique_ptr<engine_system_config> own_config, engine_config config);

  /// Start-up steps (engine_open.cpp).
  status open_log();
  status close_stale_connections(uint64_t epoch);
  /// Spawns loaders, broadcasters, the supervisor (which takes `workspace`) and the directory
  /// shards (shard i spawned with `flags[i]`, its own users, so no command can meet a shard that
  /// has not learnt them yet).
  void spawn_actors(events::workspace_state workspace, std::vector<storage::user_flags> flags,
                    uint64_t epoch);
  void stop_actors();
  /// Registers `sink` (a caf::actor or a callback_sink_ptr) with every broadcaster shard
  /// (engine_subscribe.cpp).
  template <class Sink>
  result<uint64_t> subscribe_sink(const Sink& sink, const std::string& owner);

  /// The directory shard of `user`.
  const caf::actor& shard_of(const std::string& user) const {
    return directories_[user_shard(user, directories_.size())];
  }

  /// The actor that answers a request (see `routed_to_user`).
  template <class Command>
  const auto& destination(const Command& cmd) const {
    if constexpr (routed_to_user<Command>)
      return shard_of(cmd.user);
    else
      return supervisor_;
  }

  /// A blocking request answered by a `T` (through the gateway; `timeout` after request_timeout).
  template <class T, class Handle, class... Ts>
  result<T> ask(const Handle& dest, Ts&&... xs) {
    std::promise<result<T>> promise;
    auto future = promise.get_future();
    ask_async<T>([&promise](result<T> out) { promise.set_value(std::move(out)); }, dest,
                 std::forward<Ts>(xs)...);
    return future.get();
  }

  /// A blocking request answered by `unit` (an empty message).
  template <class Handle, class... Ts>
  status tell(const Handle& dest, Ts&&... xs) {
    std::promise<status> promise;
    auto future = promise.get_future();
    tell_async([&promise](status out) { promise.set_value(std::move(out)); }, dest,
               std::forward<Ts>(xs)...);
    return future.get();
  }

  /// A non-blocking request answered by `unit`: `done` runs once (see request_gateway for the
  /// thread), and the call counts as running until it did.
  template <class Handle, class... Ts>
  void tell_async(status_callback done, const Handle& dest, Ts&&... xs) {
    if (!calls_->enter())
      return done(status{errc::shutting_down, "the engine is shutting down"});
    gateway_->request(
      dest,
      [done = std::move(done), calls = calls_](caf::expected<caf::message> reply) {
        done(reply ? status::success() : status{from_caf_error(reply.error())});
        calls->leave();
      },
      std::forward<Ts>(xs)...);
  }

  /// A non-blocking request answered by a `T`, as `tell_async`.
  template <class T, class Handle, class... Ts>
  void ask_async(std::function<void(result<T>)> done, const Handle& dest, Ts&&... xs) {
    if (!calls_->enter())
      return done(error{errc::shutting_down, "the engine is shutting down"});
    gateway_->request(
      dest,
      [done = std::move(done), calls = calls_](caf::expected<caf::message> reply) {
        done(unpack<T>(reply));
        calls->leave();
      },
      std::forward<Ts>(xs)...);
  }

  /// A subscriber known to the facade.
  struct subscriber {
    caf::actor actor;           ///< a host actor's sink, or
    callback_sink_ptr callback; ///< a callback's (the shards that learn it later need it)
  };

  std::unique_ptr<engine_system_config> own_config_;
  std::unique_ptr<caf::actor_system> own_system_;
  caf::actor_system& system_;
  engine_config config_;
  std::shared_ptr<call_tracker> calls_ = std::make_shared<call_tracker>();
  std::shared_ptr<engine_counters> counters_ = std::make_shared<engine_counters>();
  /// Every facade request goes through it; closed by shutdown, after the actors stopped.
  std::unique_ptr<request_gateway> gateway_;
  std::shared_ptr<storage::event_log> log_;
  journal_handle journal_;
  std::vector<loader_handle> loaders_;
  std::vector<loader_handle> history_readers_;  ///< reads of past instants only
  std::unique_ptr<retention_task> retention_;   ///< null when everything is kept
  supervisor_handle supervisor_;
  std::vector<broadcaster_handle> broadcasters_;
  std::vector<caf::actor> directories_;
  std::mutex shutdown_mutex_;
  bool stopped_ = false;
  /// Set when start() returns the engine; a failed start's shutdown skips the memtable flush.
  bool started_ = false;
  std::mutex subscribers_mutex_;
  std::map<uint64_t, subscriber> subscribers_;
  uint64_t next_subscriber_ = 1;
};

} // namespace presence::actors
