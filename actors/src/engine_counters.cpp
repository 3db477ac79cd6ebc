#include "engine_counters.hpp"

namespace presence::actors {

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
