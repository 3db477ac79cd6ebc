// `presencectl backup` and `restore [--until]` on the real binary: the restored database verifies
// clean and exports exactly what the original held (up to TIME with --until).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "presence/storage/event_log.hpp"
#include "presencectl_runner.hpp"

namespace presence::test {
namespace {

class backup_restore_test : public ctl_fixture {
 protected:
  /// `presencectl --db DB export` (asserted to succeed).
  std::string export_of(const std::string& db) {
    auto run = run_presencectl(dir_, {"--db", db, "export"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }
  /// The first `count` lines of `text`.
  static std::string first_lines(const std::string& text, std::size_t count) {
    std::istringstream in(text);
    std::string out;
    std::string line;
    for (std::size_t i = 0; i < count && std::getline(in, line); ++i)
      out += line + '\n';
    return out;
  }
  /// Imports the scenario and backs it up into `backups_`; returns the backup as JSON.
  nlohmann::json import_and_back_up() {
    import(data_file("scenario.jsonl"));
    auto run = ctl({"backup", "--to", backups_, "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.json();
  }

  std::string backups_ = dir_.sub("backups");
};

TEST_F(backup_restore_test, restore_gives_back_every_event_and_verifies_clean) {
  auto made = import_and_back_up();
  EXPECT_EQ(made["id"], 1);
  EXPECT_EQ(made["seq"], 23);
  EXPECT_GT(made["bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(made["path"], backups_);

  // --db after the verb, as an operator types it.
  auto restored = run_presencectl(dir_, {"restore", "--from", backups_, "--db", dir_.sub("new")});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("restored backup 1 (seq 23)"), std::string::npos) << restored.out;
  auto verified = run_presencectl(dir_, {"--db", dir_.sub("new"), "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(export_of(dir_.sub("new")), export_of(db_));
}

TEST_F(backup_restore_test, a_second_backup_gets_the_next_id_and_either_restores) {
  import_and_back_up();
  auto again = ctl({"backup", "--to", backups_, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.json()["id"], 2);
  auto first = run_presencectl(dir_, {"--db", dir_.sub("one"), "restore", "--from", backups_,
                                      "--id", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(export_of(dir_.sub("one")), export_of(db_));
}

TEST_F(backup_restore_test, until_keeps_only_the_events_before_that_instant) {
  import_and_back_up();
  auto run = run_presencectl(dir_, {"restore", "--from", backups_, "--db", dir_.sub("past"),
                                    "--until", "2026-11-21T10:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(": 11 events (seq 1..11)"), std::string::npos) << run.out;
  auto verified = run_presencectl(dir_, {"--db", dir_.sub("past"), "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(export_of(dir_.sub("past")), first_lines(export_of(db_), 11));
  // The restored state just before TIME is the original's.
  auto state = run_presencectl(dir_, {"--db", dir_.sub("past"), "inspect", "alice", "--json",
                                      "--at", "2026-11-21T09:59:59Z"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  auto at = run_presencectl(dir_, {"--db", db_, "inspect", "alice", "--json", "--at",
                                   "2026-11-21T09:59:59Z"});
  ASSERT_EQ(at.exit_code, 0) << at.err;
  EXPECT_EQ(state.json(), at.json());
  // No scratch directory is left beside the target.
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
    EXPECT_EQ(entry.path().filename().string().find(".presence-restore-"), std::string::npos)
      << entry.path();
}

TEST_F(backup_restore_test, restore_refuses_a_directory_that_is_not_empty) {
  import_and_back_up();
  const std::string before = export_of(db_);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--until", "2026-11-21T10:00:00Z"}}) {
    std::vector<std::string> args{"restore", "--from", backups_, "--db", db_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = run_presencectl(dir_, args);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("is not an empty directory"), std::string::npos) << run.err;
  }
  EXPECT_EQ(export_of(db_), before);
}

TEST_F(backup_restore_test, errors_name_what_is_wrong) {
  auto missing = run_presencectl(dir_, {"restore", "--from", dir_.sub("none"), "--db",
                                        dir_.sub("r")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("database_missing"), std::string::npos) << missing.err;
  auto no_db = ctl({"backup", "--to", backups_});
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("database_missing"), std::string::npos) << no_db.err;
  import_and_back_up();
  auto bad_time = run_presencectl(dir_, {"restore", "--from", backups_, "--db", dir_.sub("r"),
                                         "--until", "yesterday"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_.sub("r") + "/CURRENT"));
}

TEST_F(backup_restore_test, a_running_server_database_is_refused_with_the_api_to_use) {
  import(data_file("scenario.jsonl"));
  storage::open_options options;
  options.path = db_;
  auto writer = storage::event_log::open(options);  // holds the lock as a server would
  ASSERT_TRUE(writer.ok()) << describe(writer.error());
  auto run = ctl({"backup", "--to", backups_});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("admin.backups.create"), std::string::npos) << run.err;
}

} // namespace
} // namespace presence::test
