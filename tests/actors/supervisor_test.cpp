#include "supervisor.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "journal.hpp"
#include "protocol.hpp"
#include "support/test_support.hpp"
#include "token_hash.hpp"

namespace presence::actors {
namespace {

using events::event_type;
using strings = std::vector<std::string>;
using record_log = std::shared_ptr<strings>;

/// Stands in for directory shards and broadcasters: records what the supervisor tells them.
caf::behavior recorder(caf::event_based_actor*, record_log seen) {
  return {
    [seen](context_atom, const events::presence_context& ctx, int64_t) {
      seen->push_back(std::string{"context "} + (ctx.service_enabled ? "on" : "off"));
    },
    [seen](users_atom, const std::vector<events::user_record>& users) {
      std::string line = "users";
      for (const auto& user : users)
        line += " " + user.id + (user.active ? "" : "(inactive)");
      seen->push_back(line);
      return caf::unit;  // as directory shards answer it
    },
    [seen](service_atom, bool enabled) {
      seen->push_back(std::string{"service "} + (enabled ? "on" : "off"));
    },
    [seen](settings_atom, const events::workspace_settings& settings) {
      seen->push_back("settings limit=" + std::to_string(settings.connection_limit));
    },
  };
}

/// Answers every append with `storage_failure`, like a journal whose write failed.
caf::behavior failing_journal(caf::event_based_actor*) {
  return {
    [](append_atom, const std::vector<events::event>&, stored_atom) -> caf::result<void> {
      return make_caf_error(errc::storage_failure, "injected");
    },
  };
}

bool contains(const strings& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class supervisor_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = storage::event_log::open(test::log_options(dir_.sub("db")));
    ASSERT_OK(opened);
    log_ = std::shared_ptr<storage::event_log>(std::move(opened.value()));
    journal_ = keep(spawn_journal(system_, log_, {64, false}));
    directory_ = keep(system_.spawn(recorder, directory_seen_));
    broadcaster_ = keep(system_.spawn(recorder, broadcaster_seen_));
    supervisor_ = start_supervisor(events::workspace_state{});
  }

  void TearDown() override {
    for (const auto& actor : spawned_)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  caf::actor keep(caf::actor actor) {
    spawned_.push_back(actor);
    return actor;
  }

  caf::actor start_supervisor(events::workspace_state initial) {
    supervisor_config config;
    config.journal = journal_;
    config.initial = std::move(initial);
    config.clock = [this] { return now_ += 1000; };
    auto supervisor = keep(spawn_supervisor(system_, std::move(config)));
    caf::anon_send(supervisor, attach_atom::value, std::vector<caf::actor>{directory_},
                   std::vector<caf::actor>{broadcaster_});
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

  status set(const std::string& key, const std::string& value) {
    return command(set_setting_atom::value, key, value, std::string{"admin1"},
                   std::string{"admin.setSetting"});
  }

  status enable() {
    return command(enable_atom::value, std::string{"admin1"}, std::string{"admin.enable"});
  }

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
  caf::actor journal_;
  caf::actor directory_;
  caf::actor broadcaster_;
  caf::actor supervisor_;
};

TEST_F(supervisor_test, connection_limit_lifecycle) {
  ASSERT_OK(set("connection_limit", "3"));
  directory_seen_->clear();
  broadcaster_seen_->clear();
  connections(+1, 3);
  EXPECT_TRUE(service().enabled);
  EXPECT_TRUE(broadcaster_seen_->empty());
  // The 4th connection takes the count past the limit: the service turns off, everyone is told.
  connections(+1);
  auto state = service();
  EXPECT_FALSE(state.enabled);
  EXPECT_EQ(state.connections, 4u);
  EXPECT_EQ(state.limit, 3u);
  auto stored = workspace_log();
  ASSERT_FALSE(stored.empty());
  const auto& disabled = stored.back();
  ASSERT_EQ(events::type_of(disabled.body), event_type::service_disabled);
  EXPECT_EQ(std::get<events::service_disabled>(disabled.body).reason, "connection_limit");
  EXPECT_EQ(std::get<events::service_disabled>(disabled.body).connections, 4u);
  EXPECT_EQ(disabled.by, events::system_actor);
  EXPECT_EQ(*broadcaster_seen_, strings{"service off"});
  EXPECT_EQ(*directory_seen_, strings{"context off"});
  // Connections keep being accepted (counted), and nothing is disabled twice.
  connections(+1);
  EXPECT_EQ(service().connections, 5u);
  connections(-1);
  EXPECT_EQ(workspace_log().size(), stored.size());
  // Enable is refused while count >= limit ...
  ASSERT_ERRC(enable(), errc::connection_limit_exceeded);
  connections(-1); // 3 = limit: still refused
  ASSERT_ERRC(enable(), errc::connection_limit_exceeded);
  EXPECT_FALSE(service().enabled);
  // ... and accepted after two disconnects from 4 (count 2).
  connections(-1);
  EXPECT_EQ(service().connections, 2u);
  ASSERT_OK(enable());
  EXPECT_TRUE(service().enabled);
  auto enabled = workspace_log().back();
  ASSERT_EQ(events::type_of(enabled.body), event_type::service_enabled);
  EXPECT_EQ(enabled.by, "admin1");
  EXPECT_EQ(enabled.via, "admin.enable");
  EXPECT_EQ(*broadcaster_seen_, (strings{"service off", "service on"}));
  EXPECT_EQ(*directory_seen_, (strings{"context off", "context on"}));
  ASSERT_OK(enable()); // enabling an enabled service is a no-op
  EXPECT_EQ(workspace_log().back().seq, enabled.seq);
}

TEST_F(supervisor_test, zero_limit_is_unlimited) {
  ASSERT_OK(set("connection_limit", "0"));
  connections(+1, 500);
  EXPECT_TRUE(service().enabled);
  EXPECT_EQ(service().connections, 500u);
}

TEST_F(supervisor_test, auto_reenable_below_turns_the_service_back_on_by_system) {
  ASSERT_OK(set("connection_limit", "3"));
  ASSERT_OK(set("auto_reenable_below", "2"));
  connections(+1, 4);
  EXPECT_FALSE(service().enabled);
  connections(-1, 2); // count 2: not below 2
  EXPECT_FALSE(service().enabled);
  connections(-1); // count 1
  EXPECT_TRUE(service().enabled);
  auto last = workspace_log().back();
  ASSERT_EQ(events::type_of(last.body), event_type::service_enabled);
  EXPECT_EQ(last.by, events::system_actor);
  EXPECT_EQ(last.via, "auto_reenable_below");
  EXPECT_EQ(broadcaster_seen_->back(), "service on");
}

TEST_F(supervisor_test, degraded_query_only_keeps_queries_real_while_broadcasts_stay_off) {
  ASSERT_OK(set("connection_limit", "1"));
  ASSERT_OK(set("degraded_mode", "query_only"));
  directory_seen_->clear();
  broadcaster_seen_->clear();
  connections(+1, 2);
  EXPECT_FALSE(service().enabled);
  EXPECT_EQ(*broadcaster_seen_, strings{"service off"});
  EXPECT_EQ(*directory_seen_, strings{"context on"}) << "presence queries keep real values";
}

TEST_F(supervisor_test, settings_are_validated_and_pushed) {
  ASSERT_ERRC(set("connection_limit", "-1"), errc::invalid_setting);
  ASSERT_ERRC(set("no_such_key", "1"), errc::invalid_setting);
  EXPECT_TRUE(workspace_log().empty()) << "a refused change leaves no event";
  broadcaster_seen_->clear();
  ASSERT_OK(set("connection_limit", "7"));
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, 7u);
  EXPECT_EQ(*broadcaster_seen_, strings{"settings limit=7"});
}

TEST_F(supervisor_test, users_are_created_once_and_pushed_to_directory_shards) {
  auto created =
    ask<events::user_record>(create_user_atom::value, std::string{"U1"}, std::string{"Ada"}, false,
                             std::string{"admin1"}, std::string{"admin.createUser"});
  ASSERT_OK(created);
  EXPECT_EQ(created->id, "U1");
  EXPECT_EQ(created->name, "Ada");
  EXPECT_TRUE(created->active);
  EXPECT_EQ(directory_seen_->back(), "users U1");
  auto again = ask<events::user_record>(create_user_atom::value, std::string{"U1"},
                                        std::string{"Ada"}, false, std::string{}, std::string{});
  ASSERT_ERRC(again, errc::user_exists);
  auto bad = ask<events::user_record>(create_user_atom::value, std::string{"no spaces"},
                                      std::string{}, false, std::string{}, std::string{});
  ASSERT_ERRC(bad, errc::invalid_user_id);
  ASSERT_OK(command(deactivate_atom::value, std::string{"U1"}, std::string{"admin1"},
                    std::string{"admin.deactivate"}));
  EXPECT_EQ(directory_seen_->back(), "users U1(inactive)");
  ASSERT_ERRC(command(deactivate_atom::value, std::string{"U1"}, std::string{}, std::string{}),
              errc::user_deactivated);
  ASSERT_ERRC(command(deactivate_atom::value, std::string{"U7"}, std::string{}, std::string{}),
              errc::unknown_user);
  // A late attach gets the whole list.
  directory_seen_->clear();
  caf::anon_send(supervisor_, attach_atom::value, std::vector<caf::actor>{directory_},
                 std::vector<caf::actor>{broadcaster_});
  sched_.run();
  EXPECT_TRUE(contains(*directory_seen_, "users U1(inactive)"));
}

TEST_F(supervisor_test, tokens_store_only_the_hash_and_authenticate_by_secret) {
  ASSERT_OK(ask<events::user_record>(create_user_atom::value, std::string{"U1"}, std::string{"Ada"},
                                     false, std::string{}, std::string{}));
  auto token = ask<issued_token>(issue_token_atom::value, std::string{"U1"}, std::string{"admin1"},
                                 std::string{"admin.issueToken"});
  ASSERT_OK(token);
  EXPECT_EQ(token->user, "U1");
  ASSERT_EQ(token->secret.rfind("xoxp-", 0), 0u);
  auto who = ask<events::user_record>(auth_atom::value, token->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->id, "U1");
  ASSERT_ERRC(ask<events::user_record>(auth_atom::value, token->secret + "0"), errc::unknown_token);
  // The secret is nowhere in the database; its hash is.
  auto stored = workspace_log().back();
  ASSERT_EQ(events::type_of(stored.body), event_type::token_issued);
  EXPECT_EQ(std::get<events::token_issued>(stored.body).hash, sha256_hex(token->secret));
  auto secret_hex = token->secret.substr(5);
  for (const char* family : {"log", "streams", "connections", "snapshots", "meta"}) {
    ASSERT_OK(log_->scan_raw(family, [&](const storage::raw_record& raw) {
      EXPECT_EQ(raw.value.find(secret_hex), std::string::npos) << family;
      EXPECT_EQ(raw.key.find(secret_hex), std::string::npos) << family;
      return true;
    }));
  }
  ASSERT_OK(log_->flush());
  // Revoked: no longer accepted.
  ASSERT_OK(command(revoke_token_atom::value, token->id, std::string{"admin1"},
                    std::string{"admin.revokeToken"}));
  ASSERT_ERRC(ask<events::user_record>(auth_atom::value, token->secret), errc::unknown_token);
  ASSERT_ERRC(command(revoke_token_atom::value, token->id, std::string{}, std::string{}),
              errc::unknown_token);
  // A deactivated user's live token is refused with user_deactivated.
  auto second =
    ask<issued_token>(issue_token_atom::value, std::string{"U1"}, std::string{}, std::string{});
  ASSERT_OK(second);
  ASSERT_OK(command(deactivate_atom::value, std::string{"U1"}, std::string{}, std::string{}));
  ASSERT_ERRC(ask<events::user_record>(auth_atom::value, second->secret), errc::user_deactivated);
  ASSERT_ERRC(
    ask<issued_token>(issue_token_atom::value, std::string{"U1"}, std::string{}, std::string{}),
    errc::user_deactivated);
  ASSERT_ERRC(
    ask<issued_token>(issue_token_atom::value, std::string{"U8"}, std::string{}, std::string{}),
    errc::unknown_user);
}

TEST_F(supervisor_test, presets_are_validated_unique_and_evented) {
  auto meeting = ask<events::preset>(preset_create_atom::value, std::string{"In a meeting"},
                                     events::presence_value::busy, std::string{"admin1"},
                                     std::string{"custom-user-status.create"});
  ASSERT_OK(meeting);
  EXPECT_EQ(meeting->name, "In a meeting");
  EXPECT_EQ(meeting->presence, events::presence_value::busy);
  ASSERT_ERRC(ask<events::preset>(preset_create_atom::value, std::string{"IN A MEETING"},
                                  events::presence_value::away, std::string{}, std::string{}),
              errc::invalid_preset);
  ASSERT_ERRC(ask<events::preset>(preset_create_atom::value, std::string{},
                                  events::presence_value::away, std::string{}, std::string{}),
              errc::invalid_preset);
  ASSERT_ERRC(ask<events::preset>(preset_create_atom::value, std::string{"Gone"},
                                  events::presence_value::disabled, std::string{}, std::string{}),
              errc::invalid_presence);
  auto lunch = ask<events::preset>(preset_create_atom::value, std::string{"Lunch"},
                                   events::presence_value::away, std::string{}, std::string{});
  ASSERT_OK(lunch);
  ASSERT_ERRC(command(preset_update_atom::value, lunch->id, std::string{"in a meeting"},
                      events::presence_value::away, std::string{}, std::string{}),
              errc::invalid_preset);
  ASSERT_OK(command(preset_update_atom::value, lunch->id, std::string{"LUNCH"},
                    events::presence_value::away, std::string{}, std::string{}));
  // (its own name in another case is no conflict)
  ASSERT_ERRC(command(preset_update_atom::value, std::string{"P0"}, std::string{"x"},
                      events::presence_value::away, std::string{}, std::string{}),
              errc::unknown_preset);
  ASSERT_OK(command(preset_delete_atom::value, meeting->id, std::string{}, std::string{}));
  ASSERT_ERRC(command(preset_delete_atom::value, meeting->id, std::string{}, std::string{}),
              errc::unknown_preset);
  auto presets = ask<std::vector<events::preset>>(caf::get_atom::value, presets_atom::value);
  ASSERT_OK(presets);
  ASSERT_EQ(presets->size(), 1u);
  EXPECT_EQ(presets->front().name, "LUNCH");
}

TEST_F(supervisor_test, every_admin_action_is_an_event_with_by_and_via) {
  const std::string by = "admin1";
  ASSERT_OK(ask<events::user_record>(create_user_atom::value, std::string{"U1"}, std::string{"Ada"},
                                     true, by, std::string{"via1"}));
  auto token =
    ask<issued_token>(issue_token_atom::value, std::string{"U1"}, by, std::string{"via2"});
  ASSERT_OK(token);
  ASSERT_OK(command(revoke_token_atom::value, token->id, by, std::string{"via3"}));
  ASSERT_OK(command(set_setting_atom::value, std::string{"idle_timeout"}, std::string{"300"}, by,
                    std::string{"via4"}));
  auto preset = ask<events::preset>(preset_create_atom::value, std::string{"Focus"},
                                    events::presence_value::busy, by, std::string{"via5"});
  ASSERT_OK(preset);
  ASSERT_OK(command(preset_update_atom::value, preset->id, std::string{"Deep focus"},
                    events::presence_value::busy, by, std::string{"via6"}));
  ASSERT_OK(command(preset_delete_atom::value, preset->id, by, std::string{"via7"}));
  ASSERT_OK(command(deactivate_atom::value, std::string{"U1"}, by, std::string{"via8"}));
  ASSERT_ERRC(command(deactivate_atom::value, std::string{"U1"}, std::string{}, std::string{}),
              errc::user_deactivated); // refused: no event
  auto stored = workspace_log();
  std::vector<event_type> expected{event_type::user_created,   event_type::token_issued,
                                   event_type::token_revoked,  event_type::setting_changed,
                                   event_type::preset_created, event_type::preset_updated,
                                   event_type::preset_deleted, event_type::user_deactivated};
  ASSERT_EQ(workspace_types(), expected);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].by, by) << i;
    EXPECT_EQ(stored[i].via, "via" + std::to_string(i + 1)) << i;
    EXPECT_EQ(stored[i].stream, events::workspace_stream) << i;
  }
}

TEST_F(supervisor_test, state_after_a_restart_equals_the_live_state) {
  ASSERT_OK(ask<events::user_record>(create_user_atom::value, std::string{"U1"}, std::string{"Ada"},
                                     false, std::string{}, std::string{}));
  auto token =
    ask<issued_token>(issue_token_atom::value, std::string{"U1"}, std::string{}, std::string{});
  ASSERT_OK(token);
  ASSERT_OK(set("connection_limit", "2"));
  ASSERT_OK(ask<events::preset>(preset_create_atom::value, std::string{"Lunch"},
                                events::presence_value::away, std::string{}, std::string{}));
  connections(+1, 3);
  ASSERT_FALSE(service().enabled);
  // Replay the workspace stream into a fresh supervisor, as the engine does at start.
  events::workspace_state replayed;
  for (const auto& ev : workspace_log())
    events::apply(replayed, ev);
  EXPECT_FALSE(replayed.service_enabled);
  EXPECT_EQ(replayed.disabled_connections, 3u);
  supervisor_ = start_supervisor(replayed);
  auto who = ask<events::user_record>(auth_atom::value, token->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->id, "U1");
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, 2u);
  auto presets = ask<std::vector<events::preset>>(caf::get_atom::value, presets_atom::value);
  ASSERT_OK(presets);
  EXPECT_EQ(presets->size(), 1u);
  EXPECT_FALSE(service().enabled);
}

TEST_F(supervisor_test, a_failed_append_is_returned_and_changes_nothing) {
  supervisor_config config;
  config.journal = keep(system_.spawn(failing_journal));
  supervisor_ = keep(spawn_supervisor(system_, std::move(config)));
  sched_.run();
  ASSERT_ERRC(set("connection_limit", "9"), errc::storage_failure);
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, events::workspace_settings{}.connection_limit);
  ASSERT_ERRC(ask<events::user_record>(create_user_atom::value, std::string{"U1"}, std::string{},
                                       false, std::string{}, std::string{}),
              errc::storage_failure);
  ASSERT_ERRC(
    ask<issued_token>(issue_token_atom::value, std::string{"U1"}, std::string{}, std::string{}),
    errc::unknown_user);
}

} // namespace
} // namespace presence::actors
