#pragma once

// Histograms for monitoring: the engine's figures (`engine_stats`) and a host's own (presenced's
// HTTP request latency) use the same two types, so /metrics renders them alike.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace presence {

/// A histogram as read: `counts[i]` observations with value <= `bounds[i]` and above
/// `bounds[i-1]` (not cumulative); `counts.back()` counts those above every bound.
struct histogram {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  ///< bounds.size() + 1 entries
  double sum = 0;                ///< of every observed value
  uint64_t count = 0;
};

/// A fixed-bucket histogram of non-negative integer observations (events, microseconds) that any
/// thread may update and read: relaxed atomics, so an observer never waits on a reader. A
/// snapshot taken during updates may be off by the updates in flight, never torn within one
/// counter.
class atomic_histogram {
 public:
  /// `bounds` ascending; an observation lands in the first bucket whose bound is >= it.
  explicit atomic_histogram(std::vector<uint64_t> bounds);

  void observe(uint64_t value) noexcept;
  /// The counts, with bounds and sum multiplied by `scale` (1e-6 turns µs into seconds).
  histogram snapshot(double scale = 1.0) const;

 private:
  std::vector<uint64_t> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  ///< bounds_.size() + 1
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> count_{0};
};

/// Bucket bounds in microseconds for latencies from 50 µs to 1 s.
std::vector<uint64_t> latency_bounds_us();

} // namespace presence
