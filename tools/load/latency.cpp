// Percentiles of latency samples.
#include "latency.hpp"

#include <algorithm>
#include <cmath>

namespace presence::load {

void latency_recorder::restart(std::size_t expected) {
  const std::size_t room = std::min(expected, max_);
  samples_.clear();
  samples_.resize(room);  // writes every page of it
  samples_.clear();       // keeps the capacity
  dropped_ = 0;
  sorted_ = 0;
}

double latency_recorder::percentile_ms(double fraction) {
  if (samples_.empty())
    return 0;
  if (sorted_ != samples_.size()) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = samples_.size();
  }
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples_.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples_.size());
  return std::round(samples_[rank - 1] / 10.0) / 100.0; // µs -> ms, two decimals
}

} // namespace presence::load
