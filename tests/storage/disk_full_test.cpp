// A real full disk: a 2 MiB tmpfs, filled up. Appends fail with disk_full and leave nothing
// behind, reads keep working, and once space returns appends succeed again.
#include "presence/storage/event_log.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/mount.h>

#include "log_fixtures.hpp"

namespace presence::storage {
namespace {

using events::event;
using test::make_event;

/// A small tmpfs mounted for the life of the object (needs CAP_SYS_ADMIN).
class tmpfs_mount {
 public:
  explicit tmpfs_mount(std::string path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=2m") == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~tmpfs_mount() {
    if (mounted_)
      ::umount2(path_.c_str(), MNT_DETACH);
  }
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

/// Writes `path` until the file system refuses; returns the bytes written.
std::size_t fill_until_full(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr)
    return 0;
  std::string chunk(4096, 'x');
  std::size_t total = 0;
  while (std::fwrite(chunk.data(), 1, chunk.size(), file) == chunk.size() && std::fflush(file) == 0)
    total += chunk.size();
  std::fclose(file);
  return total;
}

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
