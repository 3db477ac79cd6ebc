#include "journal.hpp"

#include <chrono>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "engine_counters.hpp"
#include "errors.hpp"
#include "protocol.hpp"

namespace presence::actors {

namespace {

using events::event;
using events::sequence;
using clock_type = std::chrono::steady_clock;

uint64_t micros_between(clock_type::time_point from, clock_type::time_point to) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
  return us < 0 ? 0 : static_cast<uint64_t>(us);
}

/// One request of the batch being built: where its events start and how to answer it.
struct waiter {
  caf::response_promise promise;
  std::size_t first = 0; ///< index of its first event in `pending`
  std::size_t count = 0;
  bool wants_events = false; ///< the `stored_atom` form
  clock_type::time_point arrived;
};

struct journal_state {
  std::shared_ptr<storage::event_log> log;
  std::size_t max_batch = 0;
  std::vector<event> pending;
  std::vector<waiter> waiters;
  bool commit_queued = false;
  std::shared_ptr<journal_counters> counters;
  static inline const char* name = "presence.journal";
};

using journal_actor = journal_handle::stateful_pointer<journal_state>;

/// Writes everything pending as one append and answers each requester of the batch.
void write_pending(journal_actor self) {
  auto& st = self->state;
  if (st.pending.empty())
    return;
  auto& counters = *st.counters;
  auto started = clock_type::now();
  auto first = st.log->append(st.pending);
  auto done = clock_type::now();
  counters.writes.fetch_add(1, std::memory_order_relaxed);
  counters.write_us.observe(micros_between(started, done));
  if (first) {
    counters.events.fetch_add(st.pending.size(), std::memory_order_relaxed);
    counters.batch_events.observe(st.pending.size());
    for (auto& w : st.waiters) {
      counters.commit_us.observe(micros_between(w.arrived, done));
      if (!w.wants_events) {
        w.promise.deliver(*first + w.first);
        continue;
      }
      auto begin = st.pending.begin() + static_cast<std::ptrdiff_t>(w.first);
      w.promise.deliver(
        std::vector<event>(std::make_move_iterator(begin),
                           std::make_move_iterator(begin + static_cast<std::ptrdiff_t>(w.count))));
    }
  } else {
    counters.failed_writes.fetch_add(1, std::memory_order_relaxed);
    auto err = to_caf_error(first.error());
    for (auto& w : st.waiters)
      w.promise.deliver(err);
  }
  st.pending.clear();
  st.waiters.clear();
}

/// Queues a request answered by `promise`; writes at once when the batch is full, else makes sure a
/// commit message follows everything already in the mailbox.
void enqueue(journal_actor self, std::vector<event>& batch, bool wants_events,
             caf::response_promise promise) {
  auto& st = self->state;
  st.counters->requests.fetch_add(1, std::memory_order_relaxed);
  if (batch.empty()) {
    promise.deliver(make_caf_error(errc::invalid_argument, "append: empty batch"));
    return;
  }
  if (!st.pending.empty() && st.pending.size() + batch.size() > st.max_batch)
    write_pending(self);
  st.waiters.push_back(
    waiter{promise, st.pending.size(), batch.size(), wants_events, clock_type::now()});
  st.pending.insert(st.pending.end(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
  if (st.pending.size() >= st.max_batch) {
    write_pending(self);
  } else if (!st.commit_queued) {
    // The commit message queues behind every request that arrived during the last write, so
    // they all go into the next write; at low load it is the very next message.
    st.commit_queued = true;
    self->send(self, commit_atom::value);
  }
}

journal_handle::behavior_type journal(journal_actor self, std::shared_ptr<storage::event_log> log,
                                      journal_config config) {
  self->state.log = std::move(log);
  self->state.max_batch = config.max_batch == 0 ? 1 : config.max_batch;
  self->state.counters =
    config.counters ? std::move(config.counters) : std::make_shared<journal_counters>();
  // Stopping never drops an accepted request: write what is pending, then quit.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    write_pending(self);
    self->quit(msg.reason);
  });
  return {
    [=](append_atom, std::vector<event>& batch) {
      auto promise = self->make_response_promise<sequence>();
      enqueue(self, batch, false, promise);
      return promise;
    },
    [=](append_atom, std::vector<event>& batch, stored_atom) {
      auto promise = self->make_response_promise<std::vector<event>>();
      enqueue(self, batch, true, promise);
      return promise;
    },
    [=](commit_atom) {
      self->state.commit_queued = false;
      write_pending(self);
    },
    [=](caf::get_atom, stats_atom) -> caf::result<uint64_t, uint64_t, uint64_t> {
      const auto& c = *self->state.counters;
      return {c.writes.load(std::memory_order_relaxed), c.events.load(std::memory_order_relaxed),
              c.requests.load(std::memory_order_relaxed)};
    },
  };
}

} // namespace

journal_handle spawn_journal(caf::actor_system& system, std::shared_ptr<storage::event_log> log,
                             journal_config config) {
  if (config.detached)
    return system.spawn<caf::detached>(journal, std::move(log), config);
  return system.spawn(journal, std::move(log), config);
}

} // namespace presence::actors
