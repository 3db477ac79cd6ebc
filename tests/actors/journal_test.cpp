// The journal on the real scheduler (it is detached) with a real RocksDB: group commit, replies
// only after the write, and a failed write answered to every requester.

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "journal.hpp"
#include "protocol.hpp"
#include "register_types.hpp"
#include "support/test_support.hpp"

namespace presence::test {
namespace {

using actors::append_atom;
using events::event;

struct real_system_config : caf::actor_system_config {
  real_system_config() {
    actors::register_types(*this);
    set("scheduler.max-threads", 2);
  }
};

event user_event(const std::string& user, int n) {
  return event{
    0, 1'700'000'000'000'000 + n, user, user, "test", events::activity{"c" + std::to_string(n)},
    {}, {}};
}

/// The connection id an `activity` event names.
std::string conn_of(const event& ev) {
  return std::get<events::activity>(ev.body).conn;
}

/// What the appenders observed.
struct outcome {
  std::mutex mutex;
  std::vector<std::pair<events::sequence, event>> acked; ///< first sequence, the event sent
  std::vector<caf::error> failed;
  int not_yet_readable = 0; ///< acks whose event could not be read back at once
};

/// Sends `count` one-event appends at once, checks each ack is readable in the log right away,
/// then reports to `done`.
caf::behavior appender(caf::event_based_actor* self, actors::journal_handle journal,
                       std::string user, int count, std::shared_ptr<storage::event_log> log,
                       std::shared_ptr<outcome> out, caf::actor done) {
  auto remaining = std::make_shared<int>(count);
  auto finish = [=] {
    if (--*remaining == 0) {
      self->send(done, caf::ok_atom::value);
      self->quit();
    }
  };
  for (int i = 0; i < count; ++i) {
    auto ev = user_event(user, i);
    self->request(journal, caf::infinite, append_atom::value, std::vector<event>{ev})
      .then(
        [=](events::sequence first) {
          bool found = false;
          auto read = log->read_range(first, first, [&](const event& stored) {
            found = stored.stream == ev.stream && conn_of(stored) == conn_of(ev);
            return true;
          });
          std::lock_guard<std::mutex> guard{out->mutex};
          if (!read || !found)
            ++out->not_yet_readable;
          out->acked.emplace_back(first, ev);
          finish();
        },
        [=](caf::error& err) {
          {
            std::lock_guard<std::mutex> guard{out->mutex};
            out->failed.push_back(err);
          }
          finish();
        });
  }
  return {[](caf::tick_atom) {}};
}

/// Runs `appenders` actors of `per_appender` requests each against a journal over `log`.
std::shared_ptr<outcome> run_appenders(caf::actor_system& sys, actors::journal_handle journal,
                                       std::shared_ptr<storage::event_log> log, int appenders,
                                       int per_appender) {
  auto out = std::make_shared<outcome>();
  caf::scoped_actor self{sys};
  for (int a = 0; a < appenders; ++a)
    sys.spawn(appender, journal, "U" + std::to_string(a), per_appender, log, out, caf::actor{self});
  int finished = 0;
  self->receive_for(finished, appenders)([](caf::ok_atom) {});
  return out;
}

TEST(journal_test, group_commits_concurrent_appends_and_acks_only_durable_events) {
  temp_dir dir;
  constexpr int appenders = 50;
  constexpr int per_appender = 200;
  std::vector<std::pair<events::sequence, event>> acked;
  uint64_t writes = 0, written = 0, requests = 0;
  {
    auto opened = storage::event_log::open(log_options(dir.sub("db")));
    ASSERT_OK(opened);
    std::shared_ptr<storage::event_log> log{std::move(opened.value())};
    real_system_config cfg;
    caf::actor_system sys{cfg};
    auto journal = actors::spawn_journal(sys, log, {4096, true, nullptr});
    auto out = run_appenders(sys, journal, log, appenders, per_appender);
    EXPECT_TRUE(out->failed.empty());
    EXPECT_EQ(out->not_yet_readable, 0) << "an ack arrived before its write";
    acked = out->acked;
    caf::scoped_actor self{sys};
    self->request(journal, caf::infinite, caf::get_atom::value, actors::stats_atom::value)
      .receive([&](uint64_t w, uint64_t e, uint64_t r) { writes = w, written = e, requests = r; },
               [&](caf::error& err) { FAIL() << sys.render(err); });
    self->send_exit(journal, caf::exit_reason::user_shutdown);
  }
  ASSERT_EQ(acked.size(), static_cast<std::size_t>(appenders * per_appender));
  EXPECT_EQ(requests, acked.size());
  EXPECT_EQ(written, acked.size());
  EXPECT_LT(writes, requests) << "no group commit happened";
  std::printf("[ journal  ] %llu requests in %llu writes (%.1f events per write)\n",
              static_cast<unsigned long long>(requests), static_cast<unsigned long long>(writes),
              static_cast<double>(written) / static_cast<double>(writes));
  // Reopen: every acknowledged event is there, at its acknowledged sequence.
  auto reopened = storage::event_log::open(log_options(dir.sub("db")));
  ASSERT_OK(reopened);
  std::map<events::sequence, event> stored;
  ASSERT_OK((*reopened)->read_range(1, ~events::sequence{0}, [&](const event& ev) {
    stored[ev.seq] = ev;
    return true;
  }));
  std::set<events::sequence> distinct;
  for (const auto& [seq, ev] : acked) {
    distinct.insert(seq);
    auto found = stored.find(seq);
    ASSERT_NE(found, stored.end()) << "acked sequence " << seq << " missing";
    EXPECT_EQ(found->second.stream, ev.stream);
    EXPECT_EQ(conn_of(found->second), conn_of(ev));
  }
  EXPECT_EQ(distinct.size(), acked.size());
}

TEST(journal_test, the_stored_form_returns_sequences_and_clamped_timestamps) {
  temp_dir dir;
  auto opened = storage::event_log::open(log_options(dir.sub("db")));
  ASSERT_OK(opened);
  std::shared_ptr<storage::event_log> log{std::move(opened.value())};
  real_system_config cfg;
  caf::actor_system sys{cfg};
  auto journal = actors::spawn_journal(sys, log, {});
  caf::scoped_actor self{sys};
  std::vector<event> stored;
  auto late = user_event("U1", 100);
  auto early = user_event("U2", 1);
  self->request(journal, caf::infinite, append_atom::value, std::vector<event>{late})
    .receive([](events::sequence) {}, [&](caf::error& err) { FAIL() << sys.render(err); });
  self
    ->request(journal, caf::infinite, append_atom::value, std::vector<event>{early},
              actors::stored_atom::value)
    .receive([&](std::vector<event>& evs) { stored = std::move(evs); },
             [&](caf::error& err) { FAIL() << sys.render(err); });
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].seq, 2u);
  EXPECT_EQ(stored[0].ts, late.ts) << "the log keeps time non-decreasing";
  self->request(journal, caf::infinite, append_atom::value, std::vector<event>{})
    .receive([](events::sequence) { ADD_FAILURE() << "empty batch accepted"; },
             [&](caf::error& err) {
               EXPECT_EQ(actors::from_caf_error(err).code, errc::invalid_argument);
             });
  self->send_exit(journal, caf::exit_reason::user_shutdown);
}

TEST(journal_test, a_failed_write_is_an_error_for_every_requester) {
  temp_dir dir;
  {
    auto created = storage::event_log::open(log_options(dir.sub("db")));
    ASSERT_OK(created);
  }
  auto opened = storage::event_log::open(log_options(dir.sub("db"), storage::open_mode::read_only));
  ASSERT_OK(opened);
  std::shared_ptr<storage::event_log> log{std::move(opened.value())};
  real_system_config cfg;
  caf::actor_system sys{cfg};
  auto journal = actors::spawn_journal(sys, log, {});
  auto out = run_appenders(sys, journal, log, 10, 20);
  EXPECT_TRUE(out->acked.empty());
  ASSERT_EQ(out->failed.size(), 200u);
  for (const auto& err : out->failed)
    EXPECT_EQ(actors::from_caf_error(err).code, errc::read_only) << sys.render(err);
  EXPECT_EQ(log->last_sequence(), 0u);
  caf::anon_send_exit(journal, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace presence::test
