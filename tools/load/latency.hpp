#pragma once

// Latency samples (µs) and their percentiles, bounded in memory.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace presence::load {

class latency_recorder {
 public:
  /// Keeps at most `max_samples` (later ones are counted in `dropped`).
  explicit latency_recorder(std::size_t max_samples = 50'000'000) : max_(max_samples) {}

  /// Drops the samples and makes room for `expected` more (at most the bound), touching that
  /// memory now. A vector that grows while recording copies itself into fresh pages at every
  /// doubling: at 1 M samples/s that stalled the recording thread for tens of ms at a time (a
  /// page fault costs ≈ 14 µs on the VMs measured), and every latency stamped after the stall
  /// carried it.
  void restart(std::size_t expected);

  void add(int64_t micros) {
    if (samples_.size() < max_)
      samples_.push_back(static_cast<uint32_t>(micros < 0 ? 0 : micros));
    else
      ++dropped_;
  }
  std::size_t count() const noexcept { return samples_.size(); }
  /// Samples that fit without the storage growing.
  std::size_t capacity() const noexcept { return samples_.capacity(); }
  uint64_t dropped() const noexcept { return dropped_; }

  /// The `fraction` percentile (0..1) in milliseconds, nearest rank; 0 without samples.
  /// Sorts the samples on the first call after an `add`.
  double percentile_ms(double fraction);

 private:
  std::vector<uint32_t> samples_;
  std::size_t max_;
  uint64_t dropped_ = 0;
  std::size_t sorted_ = 0;  ///< samples_.size() when last sorted
};

} // namespace presence::load
