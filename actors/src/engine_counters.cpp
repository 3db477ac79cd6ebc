#include "engine_counters.hpp"

#include <algorithm>
#include <utility>

namespace presence::actors {

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

engine_stats engine_counters::snapshot() const {
  engine_stats out;
  out.users_resident = users_resident.load(std::memory_order_relaxed);
  out.user_actor_restarts = user_restarts.load(std::memory_order_relaxed);
  out.user_timers_armed = user_timers_armed.load(std::memory_order_relaxed);
  out.events_appended = journal.events.load(std::memory_order_relaxed);
  out.journal_requests = journal.requests.load(std::memory_order_relaxed);
  out.journal_writes = journal.writes.load(std::memory_order_relaxed);
  out.journal_failed_writes = journal.failed_writes.load(std::memory_order_relaxed);
  out.journal_batch_events = journal.batch_events.snapshot();
  out.journal_write_seconds = journal.write_us.snapshot(1e-6);
  out.journal_commit_seconds = journal.commit_us.snapshot(1e-6);
  out.broadcast_tick_late_seconds = broadcast.tick_late_us.snapshot(1e-6);
  out.broadcast_flush_seconds = broadcast.flush_us.snapshot(1e-6);
  return out;
}

} // namespace presence::actors
