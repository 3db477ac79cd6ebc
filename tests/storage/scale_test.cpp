// THE MUST-SHOW TEST: 1,000,000 events for 10,000 users written in batches of 1000 while each
// user's state is folded live; then close, reopen, rebuild every user from the log (full replay
// and snapshot + tail) and find exactly the live state. Prints throughput.
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "log_fixtures.hpp"
#include "presence/storage/recovery.hpp"
#include "random_events.hpp"

namespace presence::storage {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t user_count = 10'000;
constexpr std::size_t event_count = 1'000'000;
constexpr std::size_t batch_size = 1'000;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string user_id(std::size_t index) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "u%05zu", index);
  return buffer;
}

TEST(storage_scale, a_million_events_replay_to_the_live_fold) {
  test::temp_dir dir;
  const std::string path = dir.sub("db");
  std::vector<events::user_state> live(user_count);
  for (std::size_t i = 0; i < user_count; ++i)
    live[i].id = user_id(i);
  test::random_user_events gen{20240601};
  std::set<std::size_t> snapshotted;

  // --- write ------------------------------------------------------------------------------
  auto write_start = clock_type::now();
  uint64_t epoch = 0;
  {
    auto opened = test::open_log(path);
    ASSERT_OK(opened);
    auto& log = **opened;
    auto started = log.start_epoch(1'700'000'000'000'000);
    ASSERT_OK(started);
    epoch = *started;
    events::timestamp_us ts = 1'700'000'000'000'000;
    std::vector<events::event> batch;
    std::vector<std::size_t> owners;
    batch.reserve(batch_size);
    owners.reserve(batch_size);
    for (std::size_t written = 0; written < event_count; written += batch_size) {
      batch.clear();
      owners.clear();
      for (std::size_t i = 0; i < batch_size; ++i) {
        auto owner = gen.pick(user_count);
        owners.push_back(owner);
        batch.push_back(gen.next(live[owner], ts += 1'000, epoch));
      }
      auto first = log.append(batch);
      ASSERT_OK(first);
      ASSERT_EQ(*first, 2 + written); // sequence 1 is the epoch
      for (std::size_t i = 0; i < batch.size(); ++i)
        events::apply(live[owners[i]], batch[i]);
      // Halfway through, snapshot a fifth of the users: their recovery is snapshot + tail.
      if (written == event_count / 2) {
        for (std::size_t u = 0; u < user_count; u += 5) {
          ASSERT_OK(save_user_snapshot(log, live[u]));
          snapshotted.insert(u);
        }
      }
    }
    EXPECT_EQ(log.last_sequence(), event_count + 1);
  }
  const double write_seconds = seconds_since(write_start);

  // --- reopen and rebuild -----------------------------------------------------------------
  auto replay_start = clock_type::now();
  auto reopened = test::open_log(path);
  ASSERT_OK(reopened);
  auto& log = **reopened;
  ASSERT_EQ(log.last_sequence(), event_count + 1);
  const double open_seconds = seconds_since(replay_start);
  uint64_t replayed_events = 0;
  std::size_t mismatches = 0;
  for (std::size_t u = 0; u < user_count; ++u) {
    auto state = replay_user(log, live[u].id);
    ASSERT_OK(state);
    replayed_events += state->event_count;
    if (*state != live[u] && ++mismatches <= 5)
      ADD_FAILURE() << "replay of " << live[u].id << " differs from the live fold";
  }
  const double replay_seconds = seconds_since(replay_start);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(replayed_events, event_count);

  auto recover_start = clock_type::now();
  std::size_t recover_mismatches = 0;
  for (std::size_t u = 0; u < user_count; ++u) {
    auto state = recover_user(log, live[u].id);
    ASSERT_OK(state);
    if (*state != live[u] && ++recover_mismatches <= 5)
      ADD_FAILURE() << "recovery of " << live[u].id << " differs from the live fold";
  }
  const double recover_seconds = seconds_since(recover_start);
  EXPECT_EQ(recover_mismatches, 0u);

  // The connection index agrees with the live fold, and all of it is stale in the next epoch.
  std::size_t live_connections = 0;
  for (const auto& state : live)
    live_connections += state.connections.size();
  auto stale = log.stale_connections(epoch + 1);
  ASSERT_OK(stale);
  EXPECT_EQ(stale->size(), live_connections);
  EXPECT_GT(live_connections, 0u);

  std::printf("[ scale    ] wrote %zu events for %zu users in %.2f s (%.0f events/s)\n",
              event_count, user_count, write_seconds, event_count / write_seconds);
  std::printf("[ scale    ] reopened (%.2f s) and replayed every user in %.2f s (%.0f events/s)\n",
              open_seconds, replay_seconds, event_count / replay_seconds);
  std::printf("[ scale    ] recovered every user (%zu from snapshot + tail) in %.2f s\n",
              snapshotted.size(), recover_seconds);
  std::printf("[ scale    ] %zu open connections in the index, %.1f MiB on disk\n",
              live_connections, static_cast<double>(log.disk_size()) / (1 << 20));
}

} // namespace
} // namespace presence::storage
