#pragma once

// Fixtures for the actor tests: an actor system on CAF's test coordinator, a real RocksDB log in a
// temporary directory, a manual clock kept in step with the coordinator's, and a probe that
// records what user actors tell broadcasters and the supervisor.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "directory.hpp"
#include "engine_counters.hpp"
#include "errors.hpp"
#include "journal.hpp"
#include "loader.hpp"
#include "presence/events/time.hpp"
#include "presence/storage/event_log.hpp"
#include "protocol.hpp"
#include "register_types.hpp"
#include "support/test_support.hpp"
#include "user.hpp"

namespace presence::test {

/// Options to open the log at `path` in `mode`.
inline storage::open_options log_options(const std::string& path,
                                         storage::open_mode mode = storage::open_mode::read_write) {
  storage::open_options options;
  options.path = path;
  options.mode = mode;
  return options;
}

/// What a probe saw, in arrival order, as short strings ("publish U1 away", "conn_delta 1").
using probe_log = std::shared_ptr<std::vector<std::string>>;

/// Stands in for a broadcaster shard and the supervisor: takes what user actors send them.
using probe_handle = actors::change_sink::extend_with<actors::user_reports>;

inline probe_handle::behavior_type probe(probe_handle::pointer, probe_log seen) {
  return {
    [=](actors::changed_atom, const std::string& user, uint8_t changes,
        events::presence_value value, const events::custom_status& st, events::manual_mode mode) {
      if (changes == 0 || changes > 7)
        seen->push_back("changed " + user + " with bits " + std::to_string(changes));
      if ((changes & actors::change_presence) != 0)
        seen->push_back("publish " + user + " " + std::string{events::to_string(value)});
      if ((changes & actors::change_status) != 0)
        seen->push_back("status " + user + " " + st.text);
      if ((changes & actors::change_manual) != 0)
        seen->push_back("manual " + user + " " + std::string{events::to_string(mode)});
    },
    [=](actors::conn_delta_atom, int64_t delta) {
      seen->push_back("conn_delta " + std::to_string(delta));
    },
    [=](actors::profile_atom, const std::string& user, const events::custom_status& st) {
      seen->push_back("profile " + user + " " + st.text);
    },
  };
}

/// A test-coordinator actor system with the engine's types registered.
struct test_system_config : caf::actor_system_config {
  test_system_config() {
    actors::register_types(*this);
    set("scheduler.policy", caf::atom("testing"));
  }
};

/// journal + loader (on the scheduler, so the coordinator drives them) + one directory shard over
/// a fresh log, with users U1..U3 known and U9 deactivated.
class actor_fixture : public ::testing::Test {
 protected:
  static constexpr events::timestamp_us start_time = 1'700'000'000'000'000;

  actor_fixture()
    : sys_{cfg_}, sched_{dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())} {}

  void SetUp() override {
    auto opened = storage::event_log::open(log_options(dir_.sub("db")));
    ASSERT_OK(opened);
    log_ = std::shared_ptr<storage::event_log>(std::move(opened.value()));
    start(log_);
  }

  void TearDown() override {
    for (const auto& a : {directory_, caf::actor_cast<caf::actor>(journal_),
                          caf::actor_cast<caf::actor>(loader_), caf::actor_cast<caf::actor>(probe_)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  /// Spawns the actors over `log` (the journal writes to it).
  void start(std::shared_ptr<storage::event_log> log) {
    journal_ = actors::spawn_journal(sys_, log, {64, false, nullptr});
    loader_ = actors::spawn_loader(sys_, log, false);
    probe_ = sys_.spawn(probe, seen_);
    auto env = std::make_shared<actors::user_env>();
    env->journal = journal_;
    env->loaders = {loader_};
    env->supervisor = probe_;
    env->broadcasters = {probe_};
    env->clock = [now = now_] { return *now; };
    env->passivate_after = std::chrono::seconds{60};
    env->snapshot_every = snapshot_every_;
    env->epoch = 1;
    env->before_apply = before_apply_;
    env->counters = counters_;
    env_ = env;
    actors::directory_config config;
    for (const char* id : {"U1", "U2", "U3"})
      config.users.emplace(id, true);
    config.users.emplace("U9", false);
    directory_ = actors::spawn_directory(sys_, env_, config);
    sched_.run();
  }

  /// The user actors' deadline timers (timer_atom messages) waiting in the coordinator's clock.
  std::size_t pending_user_timers() const {
    using clock = caf::detail::simple_actor_clock;
    std::size_t count = 0;
    for (const auto& entry : sched_.clock().schedule()) {
      if (entry.second->subtype != clock::actor_msg_type)
        continue;
      const auto& content = static_cast<const clock::actor_msg&>(*entry.second).content->content();
      count += content.match_element<caf::atom_value>(0) &&
               content.get_as<caf::atom_value>(0) == actors::timer_atom::value;
    }
    return count;
  }

  /// Moves both clocks (ours and the coordinator's) forward and runs what became due.
  void advance(std::chrono::microseconds by) {
    *now_ += by.count();
    sched_.advance_time(by);
    sched_.run();
  }

  events::timestamp_us now() const { return *now_; }

  /// Sends a request to `dest`, runs the system to quiescence and returns the reply (a `unit`
  /// command reply becomes success).
  template <class... Ts>
  status call(const caf::actor& dest, Ts&&... xs) {
    caf::scoped_actor self{sys_};
    auto handle = self->request(dest, caf::infinite, std::forward<Ts>(xs)...);
    sched_.run();
    if (self->mailbox().empty())
      return status{errc::timeout, "no reply"};
    status out;
    handle.receive([&] {}, [&](caf::error& err) { out = actors::to_status(err); });
    return out;
  }

  /// A user command through the directory shard.
  template <class... Ts>
  status command(Ts&&... xs) {
    return call(directory_, std::forward<Ts>(xs)...);
  }

  /// The presence of `user` now, through the directory shard.
  result<events::presence_view> query(const std::string& user) {
    return ask_query(command::query{user, std::nullopt});
  }
  /// The presence of `user` at `at` (read from the log), through the directory shard.
  result<events::presence_view> query(const std::string& user, events::timestamp_us at) {
    return ask_query(command::query{user, events::to_instant(at)});
  }
  /// Sends `q` to the directory shard and runs the system until it is answered.
  result<events::presence_view> ask_query(command::query q) {
    caf::scoped_actor self{sys_};
    auto handle = self->request(directory_, caf::infinite, std::move(q));
    sched_.run();
    if (self->mailbox().empty())
      return error{errc::timeout, "no reply"};
    result<events::presence_view> out{errc::timeout};
    handle.receive([&](const events::presence_view& view) { out = view; },
                   [&](caf::error& err) { out = actors::from_caf_error(err); });
    return out;
  }

  /// The resident actor of `user`, or an invalid handle when none is resident.
  caf::actor resident_actor(const std::string& user) {
    caf::scoped_actor self{sys_};
    auto handle = self->request(directory_, caf::infinite, caf::get_atom::value, user);
    sched_.run();
    caf::actor out;
    if (!self->mailbox().empty())
      handle.receive([&](caf::actor& a) { out = a; }, [&](caf::error&) {});
    return out;
  }

  /// Number of resident user actors in the directory shard.
  uint64_t residents() {
    caf::scoped_actor self{sys_};
    auto handle =
      self->request(directory_, caf::infinite, caf::get_atom::value, actors::users_atom::value);
    sched_.run();
    uint64_t out = ~uint64_t{0};
    handle.receive([&](uint64_t n) { out = n; }, [&](caf::error&) {});
    return out;
  }

  /// The event types of one stream, in order, as named in docs/design.md §2.
  std::vector<std::string> stream_types(const std::string& stream) {
    std::vector<std::string> out;
    auto read = log_->read_stream(stream, 0, [&](const events::event& ev) {
      out.emplace_back(events::to_string(events::type_of(ev.body)));
      return true;
    });
    EXPECT_OK(read);
    return out;
  }

  static std::vector<std::string> list(std::initializer_list<const char*> xs) {
    return {xs.begin(), xs.end()};
  }

  temp_dir dir_;
  test_system_config cfg_;
  caf::actor_system sys_;
  caf::scheduler::test_coordinator& sched_;
  std::shared_ptr<events::timestamp_us> now_ = std::make_shared<events::timestamp_us>(start_time);
  uint64_t snapshot_every_ = 1000;
  /// Installed as `user_env::before_apply` by `start` (fault injection; null = off).
  std::function<void(const events::event&)> before_apply_;
  std::shared_ptr<storage::event_log> log_;
  std::shared_ptr<const actors::user_env> env_;
  std::shared_ptr<actors::engine_counters> counters_ = std::make_shared<actors::engine_counters>();
  probe_log seen_ = std::make_shared<std::vector<std::string>>();
  actors::journal_handle journal_;
  actors::loader_handle loader_;
  probe_handle probe_;
  caf::actor directory_;
};

} // namespace presence::test
