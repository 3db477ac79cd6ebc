// engine: start-up (open the log, new epoch, close stale connections, spawn the actors) and
// shutdown.

#include <algorithm>
#include <chrono>
#include <future>
#include <new>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "broadcaster.hpp"
#include "engine_counters.hpp"
#include "engine_impl.hpp"
#include "journal.hpp"
#include "loader.hpp"
#include "presence/events/time.hpp"
#include "presence/storage/history.hpp"
#include "presence/storage/recovery.hpp"
#include "supervisor.hpp"
#include "user.hpp"
#include "workspace_commands.hpp"

namespace presence {

result<std::unique_ptr<engine>> engine::open(engine_config config) {
  return actors::open_guarded([&] {
    auto system_config = std::make_unique<actors::engine_system_config>(config.scheduler_threads);
    auto system = std::make_unique<caf::actor_system>(*system_config);
    auto& ref = *system;
    return actors::engine_impl::start(ref, std::move(system), std::move(system_config),
                                      std::move(config));
  });
}

result<std::unique_ptr<engine>> open_engine(caf::actor_system& system, engine_config config) {
  return actors::open_guarded(
    [&] { return actors::engine_impl::start(system, nullptr, nullptr, std::move(config)); });
}

result<uint64_t> subscribe_actor(engine& target, const caf::actor& receiver,
                                 const std::string& owner) {
  return static_cast<actors::engine_impl&>(target).subscribe_actor(receiver, owner);
}

caf::actor_system& system_of(engine& target) {
  return static_cast<actors::engine_impl&>(target).system();
}

} // namespace presence

namespace presence::actors {

result<std::unique_ptr<engine>>
open_guarded(const std::function<result<std::unique_ptr<engine>>()>& open) {
  try {
    return open();
  } catch (const std::bad_alloc& e) {
    return error{errc::resource_exhausted,
                 std::string{"out of memory while opening the engine ("} + e.what() + ")"};
  } catch (const std::system_error& e) {
    const auto code = e.code();
    const bool exhausted =
      code == std::errc::resource_unavailable_try_again || code == std::errc::not_enough_memory ||
      code == std::errc::too_many_files_open || code == std::errc::too_many_files_open_in_system;
    return error{exhausted ? errc::resource_exhausted : errc::storage_failure,
                 std::string{"opening the engine: "} + e.what()};
  }
}

namespace {

/// Loaders per engine: recovery of one user never waits behind a long replay of another.
constexpr std::size_t loader_count = 2;

} // namespace

bool call_tracker::enter() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (closed_)
    return false;
  ++running_;
  return true;
}

void call_tracker::leave() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (--running_ == 0)
    idle_.notify_all();
}

void call_tracker::close_and_drain(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> guard{mutex_};
  closed_ = true;
  idle_.wait_for(guard, limit, [this] { return running_ == 0; });
}

engine_system_config::engine_system_config(std::size_t threads) {
  register_types(*this);
  // Work stealing (CAF's default) keeps idle workers polling; with max(cores, 4) of them on a
  // 2-core machine they took CPU from the journal's detached writer thread: ingest through the
  // engine ran ~25 % faster with one shared queue whose workers sleep, one per core
  // (`presence-bench ingest`, docs/performance.md).
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  set("scheduler.policy", caf::atom("sharing"));
  set("scheduler.max-threads", threads);
}

engine_impl::engine_impl(caf::actor_system& system, std::unique_ptr<caf::actor_system> own,
                         std::unique_ptr<engine_system_config> own_config, engine_config config)
  : own_config_(std::move(own_config)), own_system_(std::move(own)), system_(system),
    config_(std::move(config)) {
  if (!config_.clock)
    config_.clock = events::wall_clock_now;
  if (config_.directory_shards == 0)
    config_.directory_shards = 1;
  if (config_.broadcaster_shards == 0)
    config_.broadcaster_shards = 1;
  if (config_.max_batch == 0)
    config_.max_batch = 1;
  gateway_ = std::make_unique<request_gateway>(system_, config_.request_timeout);
}

engine_impl::~engine_impl() {
  // Errors of a destructor's shutdown have nowhere to go; shutdown() reports them to callers.
  static_cast<void>(shutdown());
}

result<std::unique_ptr<engine>> engine_impl::start(caf::actor_system& system,
                                                   std::unique_ptr<caf::actor_system> own,
                                                   std::unique_ptr<engine_system_config> own_config,
                                                   engine_config config) {
  std::unique_ptr<engine_impl> self{
    new engine_impl(system, std::move(own), std::move(own_config), std::move(config))};
  if (auto opened = self->open_log(); !opened)
    return opened.error();
  auto epoch = self->log_->start_epoch(events::to_timestamp(self->config_.clock()));
  if (!epoch)
    return epoch.error();
  // The directory shards need only each user's active flag: those are folded on a second thread
  // while this one folds the whole workspace (the two folds were ~0.5 s and ~1.3 s of a restart
  // with 1,000,000 users, one after the other). Deferred when no thread can be started.
  const std::size_t shards = self->config_.directory_shards;
  auto flags_folded =
    std::async(std::launch::async | std::launch::deferred, [log = self->log_, shards] {
      return storage::replay_user_flags(
        *log, shards, [shards](std::string_view id) { return user_shard(id, shards); });
    });
  auto workspace = storage::replay_workspace(*self->log_);
  auto flags = flags_folded.get();
  if (!workspace)
    return workspace.error();
  if (!flags)
    return flags.error();
  // Reads of a past instant fold the workspace stream from its newest checkpoint: one here saves
  // each of them the fold of every user and token created before this start.
  if (auto saved = storage::save_context_checkpoint(*self->log_, events::context_of(*workspace),
                                                    workspace->last_seq);
      !saved)
    CAF_LOG_WARNING("workspace checkpoint failed:" << describe(saved.error()));
  // The journal's counters live inside the engine's (an aliasing pointer keeps them alive).
  std::shared_ptr<journal_counters> journal_counters{self->counters_, &self->counters_->journal};
  self->journal_ = spawn_journal(self->system_, self->log_,
                                 {self->config_.max_batch, true, std::move(journal_counters)});
  // No user actor exists yet and no command is accepted before this returns.
  if (auto closed = self->close_stale_connections(*epoch); !closed)
    return closed.error();
  self->spawn_actors(std::move(*workspace), std::move(*flags), *epoch);
  if (self->config_.retention.count() > 0)
    self->retention_ = std::make_unique<retention_task>(
      self->log_, self->config_.retention,
      std::max(self->config_.retention_interval, std::chrono::seconds{1}), self->config_.clock);
  self->started_ = true;
  return std::unique_ptr<engine>{std::move(self)};
}

status engine_impl::open_log() {
  storage::open_options options;
  options.path = config_.db_path;
  options.mode = storage::open_mode::read_write;
  options.sync = config_.sync;
  auto opened = storage::event_log::open(options);
  if (!opened)
    return opened.error();
  log_ = std::shared_ptr<storage::event_log>{std::move(opened.value())};
  return status::success();
}

status engine_impl::close_stale_connections(uint64_t epoch) {
  auto stale = log_->stale_connections(epoch);
  if (!stale)
    return stale.error();
  auto now = events::to_timestamp(config_.clock());
  std::vector<events::event> batch;
  auto flush = [&]() -> status {
    if (batch.empty())
      return status::success();
    auto appended = ask<events::sequence>(caf::actor_cast<caf::actor>(journal_), append_atom::value,
                                          std::move(batch));
    batch.clear();
    if (!appended)
      return appended.error();
    return status::success();
  };
  for (const auto& conn : *stale) {
    batch.push_back(
      events::event{0, now, conn.user, std::string{events::system_actor}, "server_restart",
                    events::disconnected{conn.conn, events::disconnect_reason::server_restart},
                    {}, {}});
    if (batch.size() >= config_.max_batch)
      if (auto written = flush(); !written)
        return written;
  }
  return flush();
}

void engine_impl::spawn_actors(events::workspace_state workspace,
                               std::vector<storage::user_flags> flags, uint64_t epoch) {
  for (std::size_t i = 0; i < loader_count; ++i)
    loaders_.push_back(spawn_loader(system_, log_, true));
  auto history_limit = std::make_shared<history_gate>(std::max<std::size_t>(1, config_.max_history_reads));
  for (std::size_t i = 0; i < loader_count; ++i)
    history_readers_.push_back(spawn_loader(system_, log_, true, history_limit));
  for (std::size_t i = 0; i < config_.broadcaster_shards; ++i) {
    broadcaster_config shard;
    shard.index = i;
    shard.settings = workspace.settings;
    shard.service_enabled = workspace.service_enabled;
    shard.flush_phases = config_.flush_phases;
    // The shards' counters live inside the engine's (an aliasing pointer keeps them alive).
    shard.counters = std::shared_ptr<broadcaster_counters>{counters_, &counters_->broadcast};
    broadcasters_.push_back(spawn_broadcaster(system_, shard));
  }
  // Each shard gets only its own users (`flags`, one table per shard): with 1,000,000 users a
  // full copy per shard (and a second one pushed by the supervisor) was most of a restart's time
  // and memory.
  std::vector<directory_config> shards(config_.directory_shards);
  for (std::size_t i = 0; i < shards.size(); ++i)
    shards[i].users = std::move(flags[i]);
  auto env = std::make_shared<user_env>();
  env->journal = journal_;
  env->loaders = loaders_;
  env->history_readers = history_readers_;
  env->history_limit = std::move(history_limit);
  env->broadcasters.assign(broadcasters_.begin(), broadcasters_.end());
  env->clock = [clock = config_.clock] { return events::to_timestamp(clock()); };
  env->passivate_after = config_.passivate_after;
  env->snapshot_every = config_.snapshot_every;
  env->epoch = epoch;
  env->counters = counters_;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    auto& shard = shards[i];
    shard.index = i;
    shard.shards = shards.size();
    // The supervisor pushes the same context on attach; starting with it closes the window.
    shard.context = directory_context(workspace);
    shard.activity_log_interval = workspace.settings.activity_log_interval;
  }
  supervisor_config supervision;
  supervision.journal = journal_;
  supervision.initial = std::move(workspace);
  supervision.clock = env->clock;
  supervision.replica = config_.workspace_replica;
  supervisor_ = spawn_supervisor(system_, std::move(supervision));
  env->supervisor = supervisor_;
  for (auto& shard : shards)
    directories_.push_back(spawn_directory(system_, env, std::move(shard)));
  caf::anon_send(supervisor_, attach_atom::value, directories_,
                 std::vector<workspace_listener>(broadcasters_.begin(), broadcasters_.end()), true);
  // Enqueued before `open` returns, hence before any subscribe (the broadcasters read initial
  // presence through the directory).
  for (const auto& shard : broadcasters_)
    caf::anon_send(shard, attach_atom::value, directories_);
}

status engine_impl::shutdown() {
  std::lock_guard<std::mutex> guard{shutdown_mutex_};
  if (stopped_)
    return status::success();
  stopped_ = true;
  if (retention_)
    retention_->stop();
  calls_->close_and_drain(config_.request_timeout);
  stop_actors();
  // Requests still unanswered (the drain above timed out) are answered `shutting_down`.
  gateway_->close();
  status flushed;
  // After a failed start, the few events it wrote (epoch_started, stale disconnects) are in the
  // WAL already, and a flush could wait forever on RocksDB background threads that a host out of
  // threads or memory did not start (seen under a tight RLIMIT_AS).
  if (log_ && started_)
    flushed = log_->flush();
  log_.reset();
  return flushed;
}

void engine_impl::stop_actors() {
  caf::scoped_actor self{system_};
  auto stop = [&](std::vector<caf::actor> group) {
    std::size_t expected = 0;
    for (auto& actor : group) {
      if (!actor)
        continue;
      self->monitor(actor);
      self->send_exit(actor, caf::exit_reason::user_shutdown);
      ++expected;
    }
    std::size_t received = 0;
    self->receive_for(received, expected)([](const caf::down_msg&) {},
                                          caf::after(config_.request_timeout) >>
                                            [&] { received = expected; });
  };
  std::vector<caf::actor> first = directories_;
  first.push_back(caf::actor_cast<caf::actor>(supervisor_));
  for (const auto& shard : broadcasters_)
    first.push_back(caf::actor_cast<caf::actor>(shard));
  {
    std::lock_guard<std::mutex> subscribers_guard{subscribers_mutex_};
    subscribers_.clear(); // callback sinks go with the broadcasters
  }
  stop(std::move(first));
  // Then the I/O actors: the journal writes what it accepted before it stops.
  std::vector<caf::actor> last;
  for (const auto& loader : loaders_)
    last.push_back(caf::actor_cast<caf::actor>(loader));
  for (const auto& reader : history_readers_)
    last.push_back(caf::actor_cast<caf::actor>(reader));
  last.push_back(caf::actor_cast<caf::actor>(journal_));
  stop(std::move(last));
  // The handles stay: calls after shutdown are refused before they route (calls_ is closed).
}

} // namespace presence::actors
