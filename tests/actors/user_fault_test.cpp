// Fault injection in a user actor (user_env::before_apply), on CAF's test coordinator over a real
// RocksDB log: a handler that throws in the middle of a stream of commands. Its caller gets an
// error (CAF's runtime_error, `shutting_down` through the facade), not a hang; the directory
// shard restarts the actor, the restarted state equals a replay of the log, and later commands
// are served.

#include <stdexcept>

#include "actor_test_support.hpp"
#include "presence/events/user_state.hpp"

namespace presence::test {
namespace {

class user_fault_test : public actor_fixture {
 protected:
  void SetUp() override {
    // Throws while applying a status_set whose text is `*poison_` (the event is already stored).
    before_apply_ = [poison = poison_](const events::event& ev) {
      if (auto* set = std::get_if<events::status_set>(&ev.body); set && set->text == *poison)
        throw std::runtime_error("injected fault applying '" + set->text + "'");
    };
    actor_fixture::SetUp();
  }

  status connect(const std::string& user, const std::string& conn) {
    return command(command::connect{user, conn, "web", {}});
  }
  status set_status(const std::string& user, const std::string& text) {
    return command(status_command(user, text));
  }
  static command::set_status status_command(const std::string& user, const std::string& text) {
    return command::set_status{user, text, ":x:", std::nullopt, {}};
  }

  /// Sends one set_status per text from one actor, back to back (so they queue up at the user
  /// actor), runs the system and returns each reply in order: "ok", CAF's error text, or
  /// "no reply" when none came.
  std::vector<std::string> set_statuses_at_once(const std::string& user,
                                                const std::vector<std::string>& texts) {
    auto replies = std::make_shared<std::vector<std::string>>(texts.size(), "no reply");
    sys_.spawn([=, directory = directory_](caf::event_based_actor* self) {
      for (std::size_t i = 0; i < texts.size(); ++i)
        self->request(directory, caf::infinite, status_command(user, texts[i]))
          .then([=] { (*replies)[i] = "ok"; },
                [=](caf::error& err) { (*replies)[i] = caf::to_string(err); });
    });
    sched_.run();
    return *replies;
  }

  /// `user`'s state folded from the log alone, as a restart would rebuild it.
  events::presence_view replayed(const std::string& user) {
    events::user_state state;
    state.id = user;
    EXPECT_OK(log_->read_stream(user, 0, [&](const events::event& ev) {
      events::apply(state, ev);
      return true;
    }));
    return events::evaluate(state, events::presence_context{}, now());
  }

  static void expect_same(const events::presence_view& live, const events::presence_view& log) {
    EXPECT_EQ(live.presence, log.presence);
    EXPECT_EQ(live.online, log.online);
    EXPECT_EQ(live.connection_count, log.connection_count);
    EXPECT_EQ(live.last_activity, log.last_activity);
    EXPECT_EQ(live.manual, log.manual);
    EXPECT_EQ(live.status.text, log.status.text);
    EXPECT_EQ(live.status.emoji, log.status.emoji);
  }

  std::shared_ptr<std::string> poison_ = std::make_shared<std::string>("boom");
};

TEST_F(user_fault_test, a_throwing_handler_fails_its_caller_and_the_actor_restarts_from_the_log) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(set_status("U1", "one"));
  auto before = resident_actor("U1");
  ASSERT_TRUE(before);
  const auto seq_before = log_->last_sequence();

  auto replies = set_statuses_at_once("U1", {"two", "boom", "three"});
  EXPECT_EQ(replies[0], "ok");
  // The throwing command's caller is answered, not left waiting.
  EXPECT_NE(replies[1].find("runtime_error"), std::string::npos) << replies[1];
  EXPECT_NE(replies[1].find("injected fault applying 'boom'"), std::string::npos) << replies[1];
  // The request queued behind it in the dead actor's mailbox is bounced by CAF; it was never
  // validated, so nothing of it was logged.
  EXPECT_NE(replies[2].find("request_receiver_down"), std::string::npos) << replies[2];

  // "boom" was stored before the handler threw; "three" never reached the journal.
  EXPECT_EQ(log_->last_sequence(), seq_before + 2);
  EXPECT_EQ(stream_types("U1"), list({"connected", "status_set", "status_set", "status_set"}));

  // The shard restarted the actor at once, and its state is the replay of the log, including
  // the stored event the crashed actor never applied.
  EXPECT_EQ(residents(), 1u);
  auto after = resident_actor("U1");
  ASSERT_TRUE(after);
  EXPECT_NE(after, before);
  auto view = query(std::string{"U1"});
  ASSERT_OK(view);
  expect_same(*view, replayed("U1"));
  EXPECT_EQ(view->status.text, "boom");
  EXPECT_EQ(view->connection_count, 1u);

  // Later commands work on the new actor.
  ASSERT_OK(set_status("U1", "four"));
  ASSERT_OK(connect("U1", "c2"));
  view = query(std::string{"U1"});
  ASSERT_OK(view);
  EXPECT_EQ(view->status.text, "four");
  EXPECT_EQ(view->connection_count, 2u);
  expect_same(*view, replayed("U1"));
  EXPECT_EQ(resident_actor("U1"), after);
}

TEST_F(user_fault_test, a_crash_leaves_other_users_alone) {
  ASSERT_OK(connect("U1", "c1"));
  ASSERT_OK(connect("U2", "c1"));
  auto other = resident_actor("U2");
  ASSERT_ERRC(set_status("U1", "boom"), errc::shutting_down);
  EXPECT_EQ(resident_actor("U2"), other);
  ASSERT_OK(set_status("U2", "fine"));
  EXPECT_EQ(query(std::string{"U2"})->status.text, "fine");
  // The hook fires on every apply of the poison text, so the restarted actor crashes the same
  // way on its next try; a different command is served.
  ASSERT_ERRC(set_status("U1", "boom"), errc::shutting_down);
  ASSERT_OK(set_status("U1", "calm"));
  expect_same(*query(std::string{"U1"}), replayed("U1"));
}

TEST(caf_errors, an_actor_that_threw_reads_as_unavailable_not_as_a_bad_request) {
  // It used to read as invalid_argument, which the API turns into "invalid_arguments".
  EXPECT_EQ(actors::from_caf_error(caf::make_error(caf::sec::runtime_error)).code,
            errc::shutting_down);
}

} // namespace
} // namespace presence::test
