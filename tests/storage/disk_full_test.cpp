// A real full disk: a 2 MiB tmpfs, filled up. Appends fail with disk_full and leave nothing
// behind, reads keep working, and once space returns appends succeed again.
#include "presence/storage/event_log.hpp"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "support/tmpfs_mount.hpp"

namespace presence::storage {
namespace {

using events::event;
using test::fill_until_full;
using test::make_event;
using test::tmpfs_mount;

std::vector<event> status_batch(std::size_t count, events::timestamp_us ts) {
  std::vector<event> batch;
  for (std::size_t i = 0; i < count; ++i)
    batch.push_back(make_event("alice", ts, events::status_set{std::string(90, 'z'), ":x:", 0}));
  batch.push_back(make_event("alice", ts, events::connected{"c-full", "web", 1}));
  return batch;
}

TEST(event_log_disk_full, append_reports_disk_full_and_recovers_when_space_returns) {
  test::temp_dir dir;
  tmpfs_mount mount{dir.sub("mnt")};
  if (!mount.mounted())
    GTEST_SKIP() << "cannot mount a tmpfs to fill (" << mount.error()
                 << "); run as root with CAP_SYS_ADMIN for this test";
  const std::string db_path = dir.sub("mnt") + "/db";
  auto opened = test::open_log(db_path);
  ASSERT_OK(opened);
  auto& log = **opened;
  std::vector<event> before{make_event("alice", 1, events::activity{"c1"})};
  ASSERT_OK(log.append(before));

  const std::string filler = dir.sub("mnt") + "/filler";
  ASSERT_GT(fill_until_full(filler), 0u);

  auto batch = status_batch(200, 2);
  auto failed = log.append(batch);
  ASSERT_ERRC(failed, errc::disk_full);
  EXPECT_EQ(batch[0].seq, 0u);
  EXPECT_EQ(log.last_sequence(), 1u);
  // Reads still work and show nothing of the refused batch.
  auto all = test::read_all(log);
  ASSERT_EQ(all.size(), 1u);
  auto open = log.open_connections();
  ASSERT_OK(open);
  EXPECT_TRUE(open->empty());

  // Still full: the next append (which first tries to resume) fails the same way.
  auto again = status_batch(10, 2);
  ASSERT_ERRC(log.append(again), errc::disk_full);
  EXPECT_EQ(log.last_sequence(), 1u);

  std::filesystem::remove(filler);
  auto retry = status_batch(200, 3);
  auto first = log.append(retry);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 2u); // the failed batch consumed no sequence
  EXPECT_EQ(log.last_sequence(), 202u);
  opened->reset();

  auto reopened = test::open_log(db_path);
  ASSERT_OK(reopened);
  auto after = test::read_all(**reopened);
  ASSERT_EQ(after.size(), 202u);
  EXPECT_EQ(after.back().seq, 202u);
  EXPECT_EQ(after.back().ts, 3);
  auto connections = (*reopened)->open_connections();
  ASSERT_OK(connections);
  ASSERT_EQ(connections->size(), 1u);
  EXPECT_EQ((*connections)[0].conn, "c-full");
}

} // namespace
} // namespace presence::storage
