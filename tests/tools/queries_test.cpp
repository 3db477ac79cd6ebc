// history, log, report and stats on the scenario, and the errors every verb shares.
#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

class queries_test : public ctl_fixture {
 protected:
  void SetUp() override { import(data_file("scenario.jsonl")); }

  std::vector<nlohmann::json> lines(std::vector<std::string> args) {
    auto run = ctl(std::move(args));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.json_lines();
  }
};

std::vector<std::string> types_of(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> types;
  for (const auto& ev : events)
    types.push_back(ev["type"].get<std::string>());
  return types;
}

TEST_F(queries_test, history_is_the_users_timeline_with_who_and_from_where) {
  auto all = lines({"history", "alice", "--json"});
  ASSERT_EQ(all.size(), 16u);
  EXPECT_EQ(all.front()["type"], "connected");
  EXPECT_EQ(all.front()["via"], "rtm.connect");
  EXPECT_EQ(all.back()["type"], "disconnected");
  EXPECT_EQ(all.back()["reason"], "closed");
  for (const auto& ev : all)
    EXPECT_EQ(ev["stream"], "alice");
  EXPECT_EQ(all[2]["by"], "system");  // the idle timer's away
}

TEST_F(queries_test, history_since_is_inclusive_and_until_exclusive) {
  auto window = lines({"history", "alice", "--since", "2026-11-21T10:00:00Z", "--until",
                       "2026-11-21T11:30:00Z", "--json"});
  EXPECT_EQ(types_of(window), (std::vector<std::string>{"presence_set", "activity",
                                                         "presence_expired", "away"}));
  EXPECT_EQ(window[0]["mode"], "busy");
  EXPECT_EQ(window[0]["until"], "2026-11-21T11:00:00.000000Z");
}

TEST_F(queries_test, history_table_has_a_header_and_a_count) {
  auto run = ctl({"history", "bob"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("TIME", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("reason=\"timeout\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("3 events"), std::string::npos) << run.out;
}

TEST_F(queries_test, history_of_the_workspace_stream) {
  auto ws = lines({"history", "$workspace", "--json"});
  EXPECT_EQ(types_of(ws), (std::vector<std::string>{"epoch_started", "user_created",
                                                     "user_created", "setting_changed"}));
}

TEST_F(queries_test, log_filters_by_type_sequence_and_time) {
  auto connects = lines({"log", "--type", "connected", "--json"});
  ASSERT_EQ(connects.size(), 3u);
  EXPECT_EQ(connects[1]["stream"], "bob");
  EXPECT_EQ(connects[1]["client"], "mobile");

  auto by_seq = lines({"log", "--from-seq", "5", "--to-seq", "7", "--json"});
  ASSERT_EQ(by_seq.size(), 3u);
  EXPECT_EQ(by_seq[0]["seq"], 5);
  EXPECT_EQ(by_seq[2]["seq"], 7);

  auto by_time = lines({"log", "--since", "2026-11-21T09:10:00Z", "--until", "1795255200", "--json"});
  ASSERT_EQ(by_time.size(), 5u);  // 09:10 .. before 10:00
  EXPECT_EQ(by_time.front()["ts"], "2026-11-21T09:10:00.000000Z");
  EXPECT_EQ(by_time.back()["type"], "disconnected");

  auto combined = lines({"log", "--from-seq", "1", "--to-seq", "10", "--type", "away", "--json"});
  EXPECT_EQ(combined.size(), 2u);
}

TEST_F(queries_test, log_rejects_mixed_ranges_and_unknown_types) {
  auto mixed = ctl({"log", "--since", "2026-11-21T09:00:00Z", "--from-seq", "3"});
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("excludes"), std::string::npos) << mixed.err;
  auto unknown = ctl({"log", "--type", "teleported"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown event type 'teleported'"), std::string::npos) << unknown.err;
}

TEST_F(queries_test, report_sums_each_presence_over_the_full_day) {
  auto run = ctl({"report", "alice", "--day", "2026-11-21", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto report = run.json();
  const auto& seconds = report["seconds"];
  // Worked out by hand from scenario.jsonl (see docs/design.md §1):
  // offline 00:00-09:00, 11:30-12:00 (invisible), 17:00-24:00
  EXPECT_DOUBLE_EQ(seconds["offline"].get<double>(), 32400 + 1800 + 25200);
  // online 09:00-09:15, 09:30-09:40, 11:00-11:08, 12:05-12:15
  EXPECT_DOUBLE_EQ(seconds["online"].get<double>(), 900 + 600 + 480 + 600);
  // away 09:15-09:30, 09:40-10:00, 11:08-11:30, 12:00-12:05, 12:15-17:00
  EXPECT_DOUBLE_EQ(seconds["away"].get<double>(), 900 + 1200 + 1320 + 300 + 17100);
  EXPECT_DOUBLE_EQ(seconds["busy"].get<double>(), 3600);
  EXPECT_DOUBLE_EQ(seconds["disabled"].get<double>(), 0);
  double sum = 0;
  for (const auto& item : seconds.items())
    sum += item.value().get<double>();
  EXPECT_DOUBLE_EQ(sum, 86400);
  EXPECT_DOUBLE_EQ(report["total_seconds"].get<double>(), 86400);
}

TEST_F(queries_test, report_on_a_day_without_events_carries_the_state_over) {
  // Bob's desktop connection from 16:00 stays open: the whole next day is auto-away.
  auto report = ctl({"report", "bob", "--day", "2026-11-22", "--json"}).json();
  EXPECT_DOUBLE_EQ(report["seconds"]["away"].get<double>(), 86400);
  auto before = ctl({"report", "bob", "--day", "2026-11-20", "--json"}).json();
  EXPECT_DOUBLE_EQ(before["seconds"]["offline"].get<double>(), 86400);
}

TEST_F(queries_test, stats_counts_events_streams_users_and_connections) {
  auto run = ctl({"stats", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto stats = run.json();
  EXPECT_EQ(stats["events"], 23);
  EXPECT_EQ(stats["by_type"]["activity"], 4);
  EXPECT_EQ(stats["by_type"]["away"], 4);
  EXPECT_EQ(stats["streams"], 3);
  EXPECT_EQ(stats["users"], 2);
  EXPECT_EQ(stats["users_online"], 1);  // bob's b2
  EXPECT_EQ(stats["open_connections"], 1);
  EXPECT_GT(stats["disk_bytes"].get<uint64_t>(), 0u);
  // RocksDB's memory for the log as this secondary sees it (values: tests/storage/memory_usage).
  for (const char* key : {"memtable_bytes", "table_reader_bytes", "block_cache_bytes"})
    EXPECT_TRUE(stats[key].is_number_unsigned()) << key << " in " << stats.dump();
  auto text = ctl({"stats"});
  EXPECT_NE(text.out.find("users online"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("memtables"), std::string::npos) << text.out;
}

TEST_F(queries_test, errors_for_unknown_users_bad_times_and_bad_days) {
  for (auto args : std::vector<std::vector<std::string>>{{"history", "carol"},
                                                          {"report", "carol", "--day", "2026-11-21"}}) {
    auto run = ctl(args);
    EXPECT_EQ(run.exit_code, 2) << args[0];
    EXPECT_NE(run.err.find("unknown user 'carol'"), std::string::npos) << run.err;
  }
  for (const char* bad : {"yesterday", "2026-13-01T00:00:00Z", "2026-11-21T10:00:00", "12abc"}) {
    auto run = ctl({"inspect", "alice", "--at", bad});
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_NE(run.err.find(std::string("invalid time '") + bad + "'"), std::string::npos) << run.err;
  }
  auto bad_day = ctl({"report", "alice", "--day", "2026-02-30"});
  EXPECT_EQ(bad_day.exit_code, 2);
  EXPECT_NE(bad_day.err.find("invalid day '2026-02-30'"), std::string::npos) << bad_day.err;
  auto missing_arg = ctl({"inspect"});
  EXPECT_EQ(missing_arg.exit_code, 2);
  EXPECT_NE(missing_arg.err.find("user is required"), std::string::npos) << missing_arg.err;
}

TEST(presencectl_errors, a_missing_database_is_a_clear_error_for_every_read_verb) {
  temp_dir dir;
  const auto missing = dir.sub("no-such-db");
  for (auto verb : std::vector<std::vector<std::string>>{
         {"inspect", "alice"}, {"history", "alice"}, {"log"}, {"verify"}, {"stats"},
         {"export"}, {"report", "alice", "--day", "2026-11-21"}}) {
    verb.insert(verb.begin(), {"--db", missing});
    auto run = run_presencectl(dir, verb);
    EXPECT_EQ(run.exit_code, 2) << verb[2];
    EXPECT_NE(run.err.find("database_missing: no presence database at '" + missing + "'"),
              std::string::npos)
      << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(presencectl_errors, every_verb_has_help) {
  temp_dir dir;
  for (const char* verb : {"inspect", "history", "log", "verify", "stats", "export", "import",
                           "report"}) {
    auto run = run_presencectl(dir, {verb, "--help"});
    EXPECT_EQ(run.exit_code, 0) << verb;
    EXPECT_NE(run.out.find(verb), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << run.out;
  }
}

} // namespace
} // namespace presence::test
