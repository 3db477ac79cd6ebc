// Upgrades and roll-backs. Databases written by earlier builds (tests/tools/data/format_v1, made
// from all_types.jsonl: every event type; format_v2, written through presenced with snapshots)
// open in this one, replay and verify clean, and take new writes; a database or record of a newer format than this build knows is refused
// with a message that says so.
#include <filesystem>
#include <memory>
#include <optional>

#include "presence/events/codec.hpp"
#include "presence/storage/event_log.hpp"
#include "presence/storage/record_layout.hpp"
#include "presencectl_runner.hpp"
#include "storage/log_fixtures.hpp"

namespace presence::test {
namespace {

namespace fs = std::filesystem;

using test::write_raw;

/// `inspect … --json` output against what an older build printed (`committed`, a file of
/// tests/tools/data); what is new in this build is checked apart: the last event it names is the
/// one at `last_seq`, and records older than format version 3 carry no token id; a bot's `bot`
/// and `always_active` are `bot_always_active` (nullopt: not a bot, neither key).
void expect_state_as_committed(const run_output& state, const std::string& committed,
                               std::optional<bool> bot_always_active = std::nullopt) {
  ASSERT_EQ(state.exit_code, 0) << state.err;
  auto now = state.json();
  auto last = now["last_event"];
  now.erase("last_event");
  if (bot_always_active) {
    EXPECT_EQ(now["bot"], true) << state.out;
    EXPECT_EQ(now["always_active"], *bot_always_active) << state.out;
    now.erase("bot");
    now.erase("always_active");
  } else {
    EXPECT_FALSE(now.contains("bot")) << state.out;
  }
  EXPECT_EQ(now, nlohmann::json::parse(read_whole_file(data_file(committed))));
  ASSERT_TRUE(last.is_object()) << state.out;
  EXPECT_EQ(last["seq"], now["last_seq"]);
  EXPECT_EQ(last["token_id"], "");
}

/// The copied fixture's log opened for writing; `events` is how many it must hold.
std::unique_ptr<storage::event_log> open_to_write(const std::string& db, events::sequence events) {
  storage::open_options options;
  options.path = db;
  options.create_if_missing = false;
  auto log = storage::event_log::open(options);
  EXPECT_TRUE(log.ok()) << describe(log.error());
  if (!log.ok())
    return nullptr;
  EXPECT_EQ((*log)->last_sequence(), events);
  return std::move(log.value());
}

class upgrade_test : public ctl_fixture {
 protected:
  /// Copies the committed fixture into the fixture's database path (opening writes to it).
  void SetUp() override {
    fs::copy(data_file("format_v1/db"), db_, fs::copy_options::recursive);
  }
  /// The newest sequence in the fixture.
  static constexpr events::sequence fixture_events = 23;
};

TEST_F(upgrade_test, the_previous_format_opens_replays_and_verifies_clean) {
  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  // Every record decodes to what it was written from.
  auto exported = ctl({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, read_whole_file(data_file("format_v1/export.jsonl")));
  // A user's state folds from the old records as it did when they were written.
  expect_state_as_committed(
    ctl({"inspect", "dana.k-9_x", "--json", "--at", "2026-11-20T01:30:00Z"}),
    "format_v1/inspect-dana.json");
}

TEST_F(upgrade_test, the_previous_format_takes_new_writes_as_the_server_makes_them) {
  {
    auto log = open_to_write(db_, fixture_events);
    ASSERT_TRUE(log);
    auto epoch = log->start_epoch(1'800'000'000'000'000);
    ASSERT_TRUE(epoch.ok()) << describe(epoch.error());
  }
  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto stats = ctl({"stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(stats.json()["events"], fixture_events + 1);
}

/// tests/tools/data/format_v2: records of versions 1 and 2 and user snapshots, written through
/// presenced's API by the release before record format 3 (its make.sh).
class snapshot_upgrade_test : public ctl_fixture {
 protected:
  void SetUp() override {
    fs::copy(data_file("format_v2/db"), db_, fs::copy_options::recursive);
  }
  static constexpr events::sequence fixture_events = 23;
  static constexpr const char* at = "2026-12-06T08:00:00Z";
};

TEST_F(snapshot_upgrade_test, the_previous_format_with_snapshots_opens_replays_and_verifies) {
  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("snapshots    2"), std::string::npos)
    << "the fixture lost its snapshots:\n" << verified.out;
  auto exported = ctl({"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, read_whole_file(data_file("format_v2/export.jsonl")));
  // Both users' states, rebuilt from a snapshot plus the events after it, are as they were.
  expect_state_as_committed(ctl({"inspect", "erin", "--json", "--at", at}),
                            "format_v2/inspect-erin.json");
  expect_state_as_committed(ctl({"inspect", "bot-7", "--json", "--at", at}),
                            "format_v2/inspect-bot-7.json", true);
}

TEST_F(snapshot_upgrade_test, records_of_version_3_join_the_previous_format_and_verify_clean) {
  {
    auto log = open_to_write(db_, fixture_events);
    ASSERT_TRUE(log);
    events::event ev;
    ev.ts = 1'800'000'000'000'000;
    ev.stream = "erin";
    ev.by = "erin";
    ev.via = "users.setPresence";
    ev.token_id = "T102bb57812a9b1de";
    ev.address = "127.0.0.1";
    ev.body = events::presence_set{events::manual_mode::automatic, 0};
    std::vector<events::event> batch{ev};
    ASSERT_TRUE(log->append(batch).ok());
  }
  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto history = ctl({"history", "erin", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto lines = history.json_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["token_id"], "T102bb57812a9b1de");
  EXPECT_EQ(lines.back()["address"], "127.0.0.1");
  EXPECT_FALSE(lines.front().contains("token_id")) << "older records export as they were";
}

TEST_F(upgrade_test, a_newer_database_schema_is_refused_with_both_versions_named) {
  std::string version;
  storage::layout::put_u32_be(version, storage::schema_version + 1);
  ASSERT_EQ(write_raw(db_, "meta", std::string{storage::layout::meta_schema_version}, version), "");
  for (const char* verb : {"verify", "export", "stats"}) {
    auto run = ctl({verb});
    EXPECT_EQ(run.exit_code, 2) << verb;
    EXPECT_NE(run.err.find("unsupported_version"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("has schema version 2; this build supports up to 1"), std::string::npos)
      << run.err;
  }
  // Nothing was written by the refusals: the forged version is still there.
  storage::open_options options;
  options.path = db_;
  ASSERT_ERRC(storage::event_log::open(options), errc::unsupported_version);
}

TEST_F(upgrade_test, a_record_of_a_newer_format_version_is_reported_not_misread) {
  // The codec's first byte is the record format version: make the newest record claim the next.
  auto exported = ctl({"export"});
  ASSERT_EQ(exported.exit_code, 0);
  std::string record;
  {
    storage::open_options options;
    options.path = db_;
    options.mode = storage::open_mode::read_only;
    auto log = storage::event_log::open(options);
    ASSERT_TRUE(log.ok()) << describe(log.error());
    auto scanned = (*log)->read_range(fixture_events, fixture_events, [&](const events::event& ev) {
      record = events::encode(ev);
      return false;
    });
    ASSERT_TRUE(scanned.ok());
  }
  ASSERT_FALSE(record.empty());
  record[0] = static_cast<char>(events::format_version + 1);
  ASSERT_EQ(write_raw(db_, "log", storage::layout::log_key(fixture_events), record), "");
  auto verified = ctl({"verify"});
  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("record format version " +
                              std::to_string(events::format_version + 1)),
            std::string::npos)
    << verified.out;
}

} // namespace
} // namespace presence::test
