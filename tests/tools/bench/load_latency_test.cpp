// presence-load's latency samples: percentiles, the bound, and room made before a phase so that
// recording never grows the storage mid-measurement.
#include "latency.hpp"

#include <gtest/gtest.h>

namespace {

using presence::load::latency_recorder;

TEST(load_latency, percentiles_are_nearest_rank_in_milliseconds) {
  latency_recorder samples;
  for (int64_t us = 1000; us <= 100'000; us += 1000)  // 1 .. 100 ms
    samples.add(us);
  EXPECT_EQ(samples.percentile_ms(0.50), 50.0);
  EXPECT_EQ(samples.percentile_ms(0.99), 99.0);
  EXPECT_EQ(samples.percentile_ms(1.0), 100.0);
  samples.add(-5);  // a clock step: counted as 0
  EXPECT_EQ(samples.percentile_ms(0.0), 0.0);
}

TEST(load_latency, restart_makes_room_so_recording_never_grows) {
  latency_recorder samples;
  samples.add(7);
  samples.restart(100'000);
  EXPECT_EQ(samples.count(), 0u) << "the previous phase's samples are gone";
  const auto room = samples.capacity();
  ASSERT_GE(room, 100'000u);
  for (int i = 0; i < 100'000; ++i)
    samples.add(i);
  EXPECT_EQ(samples.capacity(), room) << "no reallocation while recording";
  EXPECT_EQ(samples.percentile_ms(1.0), 100.0);  // 99,999 µs, two decimals
}

TEST(load_latency, restart_is_clamped_to_the_bound_and_later_samples_are_dropped) {
  latency_recorder samples{10};
  samples.restart(1'000'000);
  EXPECT_LT(samples.capacity(), 1'000'000u) << "no room beyond the bound";
  for (int i = 0; i < 15; ++i)
    samples.add(i);
  EXPECT_EQ(samples.count(), 10u);
  EXPECT_EQ(samples.dropped(), 5u);
  samples.restart(0);
  EXPECT_EQ(samples.dropped(), 0u);
}

} // namespace
