#include "presence/actors/histogram.hpp"

#include <algorithm>
#include <utility>

namespace presence {

atomic_histogram::atomic_histogram(std::vector<uint64_t> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void atomic_histogram::observe(uint64_t value) noexcept {
  auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

histogram atomic_histogram::snapshot(double scale) const {
  histogram out;
  out.bounds.reserve(bounds_.size());
  for (auto bound : bounds_)
    out.bounds.push_back(static_cast<double>(bound) * scale);
  out.counts.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    out.counts.push_back(counts_[i].load(std::memory_order_relaxed));
  out.sum = static_cast<double>(sum_.load(std::memory_order_relaxed)) * scale;
  out.count = count_.load(std::memory_order_relaxed);
  return out;
}

std::vector<uint64_t> latency_bounds_us() {
  return {50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
}

} // namespace presence
