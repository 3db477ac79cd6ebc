// Supervisor: users, tokens, presets, the audit trail, append failures.
#include "supervisor_fixture.hpp"

#include "directory.hpp"

namespace presence::actors::test_supervisor {
namespace {

using supervisor_admin_test = supervisor_fixture;

TEST_F(supervisor_admin_test, users_are_created_once_and_pushed_to_directory_shards) {
  auto created =
    run(command::create_user{"U1", "Ada", false, origin{"admin1", "admin.createUser"}});
  ASSERT_OK(created);
  EXPECT_EQ(created->id, "U1");
  EXPECT_EQ(created->name, "Ada");
  EXPECT_TRUE(created->active);
  EXPECT_EQ(directory_seen_->back(), "users U1");
  auto again = run(command::create_user{"U1", "Ada", false, {}});
  ASSERT_ERRC(again, errc::user_exists);
  auto bad = run(command::create_user{"no spaces", "", false, {}});
  ASSERT_ERRC(bad, errc::invalid_user_id);
  ASSERT_OK(run(command::deactivate_user{"U1", origin{"admin1", "admin.deactivate"}}));
  EXPECT_EQ(directory_seen_->back(), "users U1(inactive)");
  EXPECT_EQ(broadcaster_seen_->back(), "profile U1 Ada(inactive) ''") << "user_change: deleted";
  ASSERT_ERRC(run(command::deactivate_user{"U1", {}}), errc::user_deactivated);
  ASSERT_ERRC(run(command::deactivate_user{"U7", {}}), errc::unknown_user);
  // A late attach gets the whole list.
  directory_seen_->clear();
  caf::anon_send(supervisor_, attach_atom::value, std::vector<caf::actor>{directory_},
                 std::vector<workspace_listener>{broadcaster_});
  sched_.run();
  EXPECT_TRUE(contains(*directory_seen_, "users U1(inactive)"));
}

TEST_F(supervisor_admin_test, user_info_and_profiles_come_from_the_workspace_in_memory) {
  ASSERT_OK(run(command::create_user{"U1", "Ada", false, {}}));
  ASSERT_OK(run(command::create_user{"B1", "robo", false, {}, true}));
  auto info = run(command::user_info{"B1"});
  ASSERT_OK(info);
  EXPECT_TRUE(info->bot);
  EXPECT_FALSE(info->always_active);
  ASSERT_ERRC(run(command::user_info{"nobody"}), errc::unknown_user);
  // A bot's flag goes to the broadcaster as a profile (user_change) with the whole record.
  ASSERT_OK(run(command::set_always_active{"B1", true, {}}));
  EXPECT_EQ(broadcaster_seen_->back(), "profile B1 robo always_active ''");
  EXPECT_TRUE(run(command::user_info{"B1"})->always_active);
  // A user actor's status change gets the record added.
  caf::anon_send(supervisor_, profile_atom::value, std::string{"U1"},
                 events::custom_status{"lunch", ":pizza:", 0});
  sched_.run();
  EXPECT_EQ(broadcaster_seen_->back(), "profile U1 Ada 'lunch'");
  auto told = broadcaster_seen_->size();
  caf::anon_send(supervisor_, profile_atom::value, std::string{"nobody"}, events::custom_status{});
  sched_.run();
  EXPECT_EQ(broadcaster_seen_->size(), told) << "an unknown user is not told";
}

TEST_F(supervisor_admin_test, attach_pushes_each_shard_only_its_own_users) {
  strings ids{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"};
  for (const auto& id : ids)
    ASSERT_OK(run(command::create_user{id, "N", false, {}}));
  std::vector<record_log> seen{std::make_shared<strings>(), std::make_shared<strings>()};
  std::vector<caf::actor> shards{keep(system_.spawn(recorder, seen[0])),
                                 keep(system_.spawn(recorder, seen[1]))};
  caf::anon_send(supervisor_, attach_atom::value, shards, std::vector<workspace_listener>{broadcaster_});
  sched_.run();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    std::string expected = "users";
    for (const auto& id : ids)
      if (user_shard(id, shards.size()) == i)
        expected += " " + id;
    EXPECT_TRUE(contains(*seen[i], expected)) << "shard " << i;
    EXPECT_EQ(std::count_if(seen[i]->begin(), seen[i]->end(),
                            [](const std::string& line) { return line.rfind("users", 0) == 0; }),
              1);
  }
  // Shards spawned knowing their users (the engine's start) get no second copy.
  for (auto& log : seen)
    log->clear();
  caf::anon_send(supervisor_, attach_atom::value, shards, std::vector<workspace_listener>{broadcaster_},
                 true);
  sched_.run();
  for (const auto& log : seen) {
    EXPECT_FALSE(log->empty());  // the context still arrives
    for (const auto& line : *log)
      EXPECT_NE(line.rfind("users", 0), 0u) << line;
  }
}

TEST_F(supervisor_admin_test, tokens_store_only_the_hash_and_authenticate_by_secret) {
  ASSERT_OK(run(command::create_user{"U1", "Ada", false, {}}));
  auto token = run(command::issue_token{"U1", origin{"admin1", "admin.issueToken"}});
  ASSERT_OK(token);
  EXPECT_EQ(token->user, "U1");
  ASSERT_EQ(token->secret.rfind("xoxp-", 0), 0u);
  auto who = run(command::authenticate{token->secret});
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, "U1");
  EXPECT_EQ(who->token_id, token->id);
  ASSERT_ERRC(run(command::authenticate{token->secret + "0"}), errc::unknown_token);
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
  // Revoked: no longer accepted, and the holder is told why.
  ASSERT_OK(run(command::revoke_token{token->id, origin{"admin1", "admin.revokeToken"}}));
  ASSERT_ERRC(run(command::authenticate{token->secret}), errc::token_revoked);
  ASSERT_ERRC(run(command::revoke_token{token->id, {}}), errc::unknown_token);
  // A deactivated user's live token is refused with user_deactivated.
  auto second = run(command::issue_token{"U1", {}});
  ASSERT_OK(second);
  ASSERT_OK(run(command::deactivate_user{"U1", {}}));
  ASSERT_ERRC(run(command::authenticate{second->secret}), errc::user_deactivated);
  ASSERT_ERRC(run(command::issue_token{"U1", {}}), errc::user_deactivated);
  ASSERT_ERRC(run(command::issue_token{"U8", {}}), errc::unknown_user);
}

TEST_F(supervisor_admin_test, presets_are_validated_unique_and_evented) {
  auto meeting = run(command::create_preset{"In a meeting", events::presence_value::busy,
                                            origin{"admin1", "custom-user-status.create"}});
  ASSERT_OK(meeting);
  EXPECT_EQ(meeting->name, "In a meeting");
  EXPECT_EQ(meeting->presence, events::presence_value::busy);
  using events::presence_value;
  ASSERT_ERRC(run(command::create_preset{"IN A MEETING", presence_value::away, {}}),
              errc::invalid_preset);
  ASSERT_ERRC(run(command::create_preset{"", presence_value::away, {}}), errc::invalid_preset);
  ASSERT_ERRC(run(command::create_preset{"Gone", presence_value::disabled, {}}),
              errc::invalid_presence);
  auto lunch = run(command::create_preset{"Lunch", presence_value::away, {}});
  ASSERT_OK(lunch);
  ASSERT_ERRC(run(command::update_preset{lunch->id, "in a meeting", presence_value::away, {}}),
              errc::invalid_preset);
  ASSERT_OK(run(command::update_preset{lunch->id, "LUNCH", presence_value::away, {}}));
  // (its own name in another case is no conflict)
  ASSERT_ERRC(run(command::update_preset{"P0", "x", presence_value::away, {}}),
              errc::unknown_preset);
  ASSERT_OK(run(command::delete_preset{meeting->id, {}}));
  ASSERT_ERRC(run(command::delete_preset{meeting->id, {}}), errc::unknown_preset);
  auto presets = ask<std::vector<events::preset>>(caf::get_atom::value, presets_atom::value);
  ASSERT_OK(presets);
  ASSERT_EQ(presets->size(), 1u);
  EXPECT_EQ(presets->front().name, "LUNCH");
}

TEST_F(supervisor_admin_test, an_admin_turns_the_service_off_with_the_reason_admin) {
  ASSERT_OK(run(command::disable_service{origin{"admin1", "admin.presence.disable"}}));
  ASSERT_OK(run(command::disable_service{{}}));  // already off: no second event
  auto service = ask<engine::service_state>(caf::get_atom::value, service_atom::value);
  ASSERT_OK(service);
  EXPECT_FALSE(service->enabled);
  EXPECT_EQ(service->reason, "admin");
  ASSERT_OK(run(command::enable_service{{}}));
  service = ask<engine::service_state>(caf::get_atom::value, service_atom::value);
  ASSERT_OK(service);
  EXPECT_TRUE(service->enabled);
  EXPECT_EQ(service->reason, "");
  std::vector<event_type> expected{event_type::service_disabled, event_type::service_enabled};
  ASSERT_EQ(workspace_types(), expected);
  auto stored = workspace_log();
  EXPECT_EQ(std::get<events::service_disabled>(stored[0].body).reason, "admin");
  EXPECT_EQ(stored[0].by, "admin1");
  EXPECT_EQ(stored[0].via, "admin.presence.disable");
}

TEST_F(supervisor_admin_test, users_are_listed_in_id_order_page_by_page) {
  for (const char* id : {"U3", "U1", "U2"})
    ASSERT_OK(run(command::create_user{id, std::string("name ") + id, false, {}}));
  auto first = ask<std::vector<events::user_record>>(caf::get_atom::value, users_atom::value,
                                                     std::string{}, uint64_t{2});
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, "U1");
  EXPECT_EQ((*first)[1].id, "U2");
  EXPECT_EQ((*first)[1].name, "name U2");
  auto rest = ask<std::vector<events::user_record>>(caf::get_atom::value, users_atom::value,
                                                    std::string{"U2"}, uint64_t{2});
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].id, "U3");
}

TEST_F(supervisor_admin_test, a_token_is_checked_by_its_id_as_by_its_secret) {
  ASSERT_OK(run(command::create_user{"U1", "Ada", false, {}}));
  auto token = run(command::issue_token{"U1", {}});
  ASSERT_OK(token);
  auto who = run(command::check_token{token->id});
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, "U1");
  EXPECT_EQ(who->token_id, token->id);
  ASSERT_ERRC(run(command::check_token{"T0000000000000000"}), errc::unknown_token);
  ASSERT_ERRC(run(command::check_token{std::string{events::configured_admin_token_id}}),
              errc::unknown_token); // reserved: never issued, answered by the API layer alone
  auto second = run(command::issue_token{"U1", {}});
  ASSERT_OK(second);
  ASSERT_OK(run(command::revoke_token{token->id, {}}));
  ASSERT_ERRC(run(command::check_token{token->id}), errc::token_revoked);
  ASSERT_OK(run(command::check_token{second->id}));
  ASSERT_OK(run(command::deactivate_user{"U1", {}}));
  ASSERT_ERRC(run(command::check_token{second->id}), errc::user_deactivated);
}

TEST_F(supervisor_admin_test, every_admin_action_is_an_event_with_by_and_via) {
  const std::string by = "admin1";
  ASSERT_OK(run(command::create_user{"U1", "Ada", true, origin{by, "via1", "T1", "10.0.0.7"}}));
  auto token = run(command::issue_token{"U1", origin{by, "via2"}});
  ASSERT_OK(token);
  ASSERT_OK(run(command::revoke_token{token->id, origin{by, "via3"}}));
  ASSERT_OK(run(command::set_setting{"idle_timeout", "300", origin{by, "via4"}}));
  auto preset =
    run(command::create_preset{"Focus", events::presence_value::busy, origin{by, "via5"}});
  ASSERT_OK(preset);
  ASSERT_OK(run(command::update_preset{preset->id, "Deep focus", events::presence_value::busy,
                                       origin{by, "via6"}}));
  ASSERT_OK(run(command::delete_preset{preset->id, origin{by, "via7"}}));
  ASSERT_OK(run(command::deactivate_user{"U1", origin{by, "via8"}}));
  ASSERT_ERRC(run(command::deactivate_user{"U1", {}}), errc::user_deactivated); // refused: no event
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
  // The audit fields of the origin are stored with the event; an origin without them has none.
  EXPECT_EQ(stored[0].token_id, "T1");
  EXPECT_EQ(stored[0].address, "10.0.0.7");
  EXPECT_EQ(stored[1].token_id, "");
  EXPECT_EQ(stored[1].address, "");
}

TEST_F(supervisor_admin_test, a_failed_append_is_returned_and_changes_nothing) {
  supervisor_config config;
  config.journal = keep(system_.spawn(failing_journal));
  supervisor_ = keep(spawn_supervisor(system_, std::move(config)));
  sched_.run();
  ASSERT_ERRC(set("connection_limit", "9"), errc::storage_failure);
  auto settings = ask<events::workspace_settings>(caf::get_atom::value, settings_atom::value);
  ASSERT_OK(settings);
  EXPECT_EQ(settings->connection_limit, events::workspace_settings{}.connection_limit);
  ASSERT_ERRC(run(command::create_user{"U1", "", false, {}}), errc::storage_failure);
  ASSERT_ERRC(run(command::issue_token{"U1", {}}), errc::unknown_user);
}

} // namespace
} // namespace presence::actors::test_supervisor
