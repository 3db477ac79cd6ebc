// Supervisor: users, tokens, presets, the audit trail, append failures.
#include "supervisor_fixture.hpp"

#include "directory.hpp"

namespace presence::actors::test_supervisor {
namespace {

using supervisor_admin_test = supervisor_fixture;

TEST_F(supervisor_admin_test, users_are_created_once_and_pushed_to_directory_shards) {
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

TEST_F(supervisor_admin_test, attach_pushes_each_shard_only_its_own_users) {
  strings ids{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"};
  for (const auto& id : ids)
    ASSERT_OK(ask<events::user_record>(create_user_atom::value, id, std::string{"N"}, false,
                                       std::string{}, std::string{}));
  std::vector<record_log> seen{std::make_shared<strings>(), std::make_shared<strings>()};
  std::vector<caf::actor> shards{keep(system_.spawn(recorder, seen[0])),
                                 keep(system_.spawn(recorder, seen[1]))};
  caf::anon_send(supervisor_, attach_atom::value, shards, std::vector<caf::actor>{broadcaster_});
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
  caf::anon_send(supervisor_, attach_atom::value, shards, std::vector<caf::actor>{broadcaster_},
                 true);
  sched_.run();
  for (const auto& log : seen) {
    EXPECT_FALSE(log->empty());  // the context still arrives
    for (const auto& line : *log)
      EXPECT_NE(line.rfind("users", 0), 0u) << line;
  }
}

TEST_F(supervisor_admin_test, tokens_store_only_the_hash_and_authenticate_by_secret) {
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
  // Revoked: no longer accepted, and the holder is told why.
  ASSERT_OK(command(revoke_token_atom::value, token->id, std::string{"admin1"},
                    std::string{"admin.revokeToken"}));
  ASSERT_ERRC(ask<events::user_record>(auth_atom::value, token->secret), errc::token_revoked);
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

TEST_F(supervisor_admin_test, presets_are_validated_unique_and_evented) {
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

TEST_F(supervisor_admin_test, every_admin_action_is_an_event_with_by_and_via) {
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

TEST_F(supervisor_admin_test, a_failed_append_is_returned_and_changes_nothing) {
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
} // namespace presence::actors::test_supervisor
