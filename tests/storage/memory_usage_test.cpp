// storage::memory_usage on real RocksDB logs: memtables grow with appends, empty on a flush, and a
// secondary that caught up holds (about) what the writer has not flushed.
#include "presence/storage/memory_usage.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"

namespace presence::storage {
namespace {

using events::event;
using test::make_event;
using test::open_log;

void append_activity(event_log& log, std::size_t count) {
  std::vector<event> batch;
  for (std::size_t i = 0; i < count; ++i)
    batch.push_back(make_event("user" + std::to_string(i % 100), 1, events::activity{"c1"}));
  ASSERT_OK(log.append(batch));
}

TEST(memory_usage, memtables_grow_with_appends_and_empty_on_flush) {
  test::temp_dir dir;
  auto writer = open_log(dir.sub("db"));
  ASSERT_OK(writer);
  auto empty = memory_usage(**writer);
  ASSERT_OK(empty);
  append_activity(**writer, 20'000);
  auto written = memory_usage(**writer);
  ASSERT_OK(written);
  // 20,000 events, each at least a key and a value in `log` and in `streams`.
  EXPECT_GT(written->memtable_bytes, empty->memtable_bytes + 20'000u * 2 * 16);
  ASSERT_OK((*writer)->flush());
  auto flushed = memory_usage(**writer);
  ASSERT_OK(flushed);
  EXPECT_LT(flushed->memtable_bytes, written->memtable_bytes / 4);
}

TEST(memory_usage, a_secondary_replays_what_the_writer_has_not_flushed) {
  test::temp_dir dir;
  auto writer = open_log(dir.sub("db"));
  ASSERT_OK(writer);
  append_activity(**writer, 20'000);
  auto secondary = open_log(dir.sub("db"), open_mode::secondary);
  ASSERT_OK(secondary);
  auto primary_figures = memory_usage(**writer);
  auto secondary_figures = memory_usage(**secondary);
  ASSERT_OK(primary_figures);
  ASSERT_OK(secondary_figures);
  // Same WAL, same options: within a factor of two of each other (arena rounding differs).
  EXPECT_GT(secondary_figures->memtable_bytes, primary_figures->memtable_bytes / 2);
  EXPECT_LT(secondary_figures->memtable_bytes, primary_figures->memtable_bytes * 2);
}

} // namespace
} // namespace presence::storage
