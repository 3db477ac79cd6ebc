#pragma once

// The supervisor tests' fixture: a supervisor over the real journal (on the test coordinator) and
// a RocksDB log in a temporary directory, with recorders standing in for directory shards and
// broadcasters.

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "journal.hpp"
#include "protocol.hpp"
#include "supervisor.hpp"
#include "support/test_support.hpp"
#include "token_hash.hpp"

namespace presence::actors::test_supervisor {

using events::event_type;
using strings = std::vector<std::string>;
using record_log = std::shared_ptr<strings>;

/// Stands in for directory shards: records what the supervisor tells them.
inline caf::behavior recorder(caf::event_based_actor*, record_log seen) {
  return {
    [seen](context_atom, const events::presence_context& ctx, int64_t) {
      seen->push_back(std::string{"context "} + (ctx.service_enabled ? "on" : "off"));
    },
    [seen](users_atom, const std::vector<events::user_record>& users) {
      std::string line = "users";
      for (const auto& user : users)
        line += " " + user.id + (user.active ? "" : "(inactive)");
      seen->push_back(line);
      return caf::unit; // as directory shards answer it
    },
  };
}

/// Stands in for broadcasters: records what the supervisor tells them.
inline workspace_listener::behavior_type listener(workspace_listener::pointer, record_log seen) {
  return {
    [seen](service_atom, const engine::service_state& service) {
      seen->push_back(std::string{"service "} +
                      (service.enabled ? "on" : "off " + service.reason + " " +
                                                  std::to_string(service.connections) + "/" +
                                                  std::to_string(service.limit)));
    },
    [seen](settings_atom, const events::workspace_settings& settings) {
      seen->push_back("settings limit=" + std::to_string(settings.connection_limit));
    },
    [seen](profile_atom, const events::user_record& user, const events::custom_status& status) {
      seen->push_back("profile " + user.id + " " + user.name + (user.active ? "" : "(inactive)") +
                      (user.always_active ? " always_active" : "") + " '" + status.text + "'");
    },
  };
}

/// Answers every append with `storage_failure`, like a journal whose write failed.
inline journal_handle::behavior_type failing_journal() {
  auto refuse = [] { return make_caf_error(errc::storage_failure, "injected"); };
  return {
    [=](append_atom, const std::vector<events::event>&) -> caf::result<events::sequence> {
      return refuse();
    },
    [=](append_atom, const std::vector<events::event>&,
        stored_atom) -> caf::result<std::vector<events::event>> { return refuse(); },
    [](commit_atom) {},
    [](caf::get_atom, stats_atom) -> caf::result<uint64_t, uint64_t, uint64_t> {
      return {0, 0, 0};
    },
  };
}

inline bool contains(const strings& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class supervisor_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::event_log::open(test::log_options(dir_.sub("db")));
    ASSERT_OK(opened);
    log_ = std::shared_ptr<storage::event_log>(std::move(opened.value()));
    journal_ = keep(spawn_journal(system_, log_, {64, false, nullptr}));
    directory_ = keep(system_.spawn(recorder, directory_seen_));
    broadcaster_ = keep(system_.spawn(listener, broadcaster_seen_));
    supervisor_ = start_supervisor(events::workspace_state{});
  }

  void TearDown() override {
    for (const auto& actor : spawned_)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  template <class Handle>
  Handle keep(Handle actor) {
    spawned_.push_back(caf::actor_cast<caf::actor>(actor));
    return actor;
  }

  supervisor_handle start_supervisor(events::workspace_state initial) {
    supervisor_config config;
    config.journal = journal_;
    config.initial = std::move(initial);
    config.clock = [this] { return now_ += 1000; };
    auto supervisor = keep(spawn_supervisor(system_, std::move(config)));
    caf::anon_send(supervisor, attach_atom::value, std::vector<caf::actor>{directory_},
                   std::vector<workspace_listener>{broadcaster_});
    sched_.run();
    return supervisor;
  }

  /// Sends a request to the supervisor, runs to quiescence, returns the reply or its error.
  template <class T, class... Ts>
  result<T> ask(Ts&&... xs) {
    caf::scoped_actor self{system_};
    auto handle = self->request(supervisor_, caf::infinite, std::forward<Ts>(xs)...);
    sched_.run();
    if (self->mailbox().empty())
      return presence::error{errc::timeout, "no reply"};
    result<T> out{errc::timeout};
    handle.receive([&](T& value) { out = std::move(value); },
                   [&](caf::error& err) { out = from_caf_error(err); });
    return out;
  }

  /// A request whose reply is `unit`.
  template <class... Ts>
  status command(Ts&&... xs) {
    caf::scoped_actor self{system_};
    auto handle = self->request(supervisor_, caf::infinite, std::forward<Ts>(xs)...);
    sched_.run();
    if (self->mailbox().empty())
      return status{errc::timeout, "no reply"};
    status out;
    handle.receive([] {}, [&](caf::error& err) { out = to_status(err); });
    return out;
  }

  /// A `command::…` struct to the supervisor: its `reply`, or `status` for a void one.
  template <class C>
  engine::result_for<C> run(C cmd) {
    if constexpr (std::is_void_v<typename C::reply>)
      return command(std::move(cmd));
    else
      return ask<typename C::reply>(std::move(cmd));
  }

  status set(const std::string& key, const std::string& value) {
    return run(command::set_setting{key, value, origin{"admin1", "admin.setSetting"}});
  }

  status enable() { return run(command::enable_service{origin{"admin1", "admin.enable"}}); }

  void connections(int64_t delta, int times = 1) {
    for (int i = 0; i < times; ++i) {
      caf::anon_send(supervisor_, conn_delta_atom::value, delta);
      sched_.run();
    }
  }

  engine::service_state service() {
    auto state = ask<engine::service_state>(caf::get_atom::value, service_atom::value);
    EXPECT_OK(state);
    return state.ok() ? state.value() : engine::service_state{};
  }

  /// The workspace stream as stored.
  std::vector<events::event> workspace_log() {
    std::vector<events::event> out;
    EXPECT_OK(log_->read_stream(events::workspace_stream, 0, [&](const events::event& ev) {
      out.push_back(ev);
      return true;
    }));
    return out;
  }

  std::vector<event_type> workspace_types() {
    std::vector<event_type> out;
    for (const auto& ev : workspace_log())
      out.push_back(events::type_of(ev.body));
    return out;
  }

  test::temp_dir dir_;
  test::test_system_config config_;
  caf::actor_system system_{config_};
  caf::scheduler::test_coordinator& sched_ =
    dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler());
  std::shared_ptr<storage::event_log> log_;
  events::timestamp_us now_ = 1'700'000'000'000'000;
  record_log directory_seen_ = std::make_shared<strings>();
  record_log broadcaster_seen_ = std::make_shared<strings>();
  std::vector<caf::actor> spawned_;
  journal_handle journal_;
  caf::actor directory_;
  workspace_listener broadcaster_;
  supervisor_handle supervisor_;
};

} // namespace presence::actors::test_supervisor
