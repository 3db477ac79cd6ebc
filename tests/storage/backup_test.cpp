// Online backups of the event log: what a backup holds while appends go on, incremental backups,
// listing, restoring (never over an existing database) and the errors of each.
#include "presence/storage/backup.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "presence/events/codec.hpp"
#include "support/child_process.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::storage {
namespace {

namespace fs = std::filesystem;
using events::event;
using test::make_event;
using test::open_log;
using test::read_all;

using test::append_events;
using test::open_writer;

/// Writes `count` events into a new database at `db`, backs it up into `backups` and closes it.
void back_up_new_database(const std::string& db, std::size_t count, const std::string& backups) {
  auto log = open_writer(db);
  ASSERT_NE(log, nullptr);
  append_events(*log, count);
  ASSERT_TRUE(log->backup(backups).ok());
}

/// Restores `id` of `backups` into `target` and returns the restored log's events.
std::vector<event> restore_and_read(const std::string& backups, std::optional<uint32_t> id,
                                    const std::string& target) {
  auto restored = restore_backup(backups, id, target);
  EXPECT_TRUE(restored.ok()) << describe(restored.error());
  auto log = open_writer(target);
  if (log == nullptr)
    return {};
  return read_all(*log);
}

TEST(storage_backup, holds_every_appended_event_and_names_its_newest_sequence) {
  test::temp_dir dir;
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  append_events(*log, 100);
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds{1};
  auto made = log->backup(dir.sub("backups"));
  ASSERT_TRUE(made.ok()) << describe(made.error());
  EXPECT_EQ(made->id, 1u);
  EXPECT_EQ(made->seq, 100u);
  EXPECT_GT(made->bytes, 0u);
  EXPECT_EQ(made->path, dir.sub("backups"));
  EXPECT_GE(made->created, before);
  EXPECT_LE(made->created, std::chrono::system_clock::now());

  auto got = restore_and_read(dir.sub("backups"), std::nullopt, dir.sub("restored"));
  auto original = read_all(*log);
  ASSERT_EQ(got.size(), 100u);
  ASSERT_EQ(original.size(), 100u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(events::encode(got[i]), events::encode(original[i])) << "event " << i;
}

TEST(storage_backup, taken_while_appends_go_on_holds_all_acknowledged_before_the_call) {
  test::temp_dir dir;
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> failures{0};
  std::thread writer([&] {
    while (!stop.load()) {
      std::vector<event> batch(10, make_event("bob", 1, events::activity{"c1"}));
      if (!log->append(batch).ok())
        ++failures;
    }
  });
  // Await a few thousand appended events before backing up, so the backup races live appends.
  while (log->last_sequence() < 5000)
    std::this_thread::yield();
  const events::sequence acknowledged = log->last_sequence();
  auto made = log->backup(dir.sub("backups"));
  const events::sequence after = log->last_sequence();
  stop = true;
  writer.join();
  ASSERT_TRUE(made.ok()) << describe(made.error());
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_GE(made->seq, acknowledged);
  EXPECT_LE(made->seq, after);

  auto got = restore_and_read(dir.sub("backups"), made->id, dir.sub("restored"));
  ASSERT_EQ(got.size(), made->seq);
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i].seq, i + 1);
}

TEST(storage_backup, later_backups_are_listed_in_order_and_each_restores_its_own_state) {
  test::temp_dir dir;
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  append_events(*log, 50);
  auto first = log->backup(dir.sub("backups"));
  ASSERT_TRUE(first.ok()) << describe(first.error());
  append_events(*log, 30, "carol");
  auto second = log->backup(dir.sub("backups"));
  ASSERT_TRUE(second.ok()) << describe(second.error());
  EXPECT_EQ(second->id, 2u);
  EXPECT_EQ(second->seq, 80u);

  auto listed = list_backups(dir.sub("backups"));
  ASSERT_TRUE(listed.ok()) << describe(listed.error());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, 1u);
  EXPECT_EQ((*listed)[0].seq, 50u);
  EXPECT_EQ((*listed)[1].id, 2u);
  EXPECT_EQ((*listed)[1].seq, 80u);

  EXPECT_EQ(restore_and_read(dir.sub("backups"), 1u, dir.sub("one")).size(), 50u);
  EXPECT_EQ(restore_and_read(dir.sub("backups"), 2u, dir.sub("two")).size(), 80u);
}

TEST(storage_backup, purge_keeps_the_newest) {
  test::temp_dir dir;
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 3; ++i) {
    append_events(*log, 10);
    ASSERT_TRUE(log->backup(dir.sub("backups")).ok());
  }
  ASSERT_TRUE(purge_backups(dir.sub("backups"), 2).ok());
  auto listed = list_backups(dir.sub("backups"));
  ASSERT_TRUE(listed.ok()) << describe(listed.error());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, 2u);
  EXPECT_EQ((*listed)[1].seq, 30u);
  ASSERT_ERRC(purge_backups(dir.sub("backups"), 0), errc::invalid_argument);
}

TEST(storage_backup, restore_refuses_a_non_empty_directory_and_leaves_it_alone) {
  test::temp_dir dir;
  back_up_new_database(dir.sub("db"), 5, dir.sub("backups"));
  fs::create_directories(dir.sub("occupied"));
  { std::ofstream{dir.sub("occupied") + "/keep.txt"} << "mine"; }
  ASSERT_ERRC(restore_backup(dir.sub("backups"), std::nullopt, dir.sub("occupied")),
              errc::invalid_argument);
  EXPECT_EQ(test::read_whole_file(dir.sub("occupied") + "/keep.txt"), "mine");
  ASSERT_ERRC(restore_backup(dir.sub("backups"), std::nullopt, dir.sub("db")),
              errc::invalid_argument);
  // An empty directory is fine.
  fs::create_directories(dir.sub("empty"));
  EXPECT_TRUE(restore_backup(dir.sub("backups"), std::nullopt, dir.sub("empty")).ok());
}

TEST(storage_backup, missing_directories_and_ids_are_database_missing) {
  test::temp_dir dir;
  ASSERT_ERRC(list_backups(dir.sub("nothing")), errc::database_missing);
  ASSERT_ERRC(restore_backup(dir.sub("nothing"), std::nullopt, dir.sub("r")),
              errc::database_missing);
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  append_events(*log, 1);
  ASSERT_TRUE(log->backup(dir.sub("backups")).ok());
  ASSERT_ERRC(restore_backup(dir.sub("backups"), 7u, dir.sub("r")), errc::database_missing);
  EXPECT_FALSE(fs::exists(dir.sub("r") + "/CURRENT"));
  ASSERT_ERRC(log->backup(""), errc::invalid_argument);
}

TEST(storage_backup, only_the_writer_backs_up) {
  test::temp_dir dir;
  auto log = open_writer(dir.sub("db"));
  ASSERT_NE(log, nullptr);
  append_events(*log, 1);
  auto reader = open_log(dir.sub("db"), open_mode::secondary);
  ASSERT_TRUE(reader.ok()) << describe(reader.error());
  ASSERT_ERRC((*reader)->backup(dir.sub("backups")), errc::read_only);
}

TEST(storage_backup, a_damaged_backup_file_is_corrupt_record_and_nothing_is_restored) {
  test::temp_dir dir;
  back_up_new_database(dir.sub("db"), 2000, dir.sub("backups"));
  // Flip one byte in the middle of the largest table file of the backup.
  fs::path largest;
  uintmax_t largest_size = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.sub("backups")))
    if (entry.is_regular_file() && entry.path().extension() == ".sst" &&
        entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  ASSERT_GT(largest_size, 0u);
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(largest_size / 2));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(static_cast<std::streamoff>(largest_size / 2));
    file.write(&byte, 1);
  }
  ASSERT_ERRC(restore_backup(dir.sub("backups"), std::nullopt, dir.sub("r")),
              errc::corrupt_record);
  EXPECT_FALSE(fs::exists(dir.sub("r") + "/CURRENT"));
}

} // namespace
} // namespace presence::storage
