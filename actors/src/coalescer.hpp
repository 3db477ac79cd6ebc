#pragma once

// The broadcaster's coalescing buffer (DESIGN §4): per subscriber, the latest presence of each
// changed subject since the last flush. Plain C++ (no CAF, no clock): the broadcaster's timer
// decides when to call `flush`.

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "presence/events/event.hpp"
#include "subscription_table.hpp"

namespace presence::actors {

/// One `presence_change` for one subscriber: every user in `users` (sorted) now reads `presence`.
struct presence_batch {
  subscriber_id subscriber = 0;
  events::presence_value presence = events::presence_value::offline;
  std::vector<std::string> users;
};

/// Groups (subject, presence) pairs into one batch per presence value, in the order of
/// `presence_value` (online, away, busy, offline, disabled); users sorted within a batch.
std::vector<presence_batch>
group_by_presence(subscriber_id subscriber,
                  const std::vector<std::pair<std::string, events::presence_value>>& values);

/// Pending changes and the last presence sent, per subscriber and subject. A pending entry is a
/// map slot, not a queue entry: memory per subscriber is bounded by its subject count however
/// often subjects change. Not thread-safe (owned by one broadcaster).
class coalescer {
 public:
  /// Records that `subject` now reads `value` for `subscriber` (replacing an earlier pending
  /// value).
  void record(subscriber_id subscriber, const std::string& subject, events::presence_value value);

  /// Notes that `subscriber` was told `value` for `subject` outside a flush (initial presence).
  void mark_sent(subscriber_id subscriber, const std::string& subject,
                 events::presence_value value);

  /// Forgets `subject` for `subscriber` (it left the subscription).
  void forget(subscriber_id subscriber, const std::string& subject);

  /// Forgets everything about `subscriber`.
  void remove(subscriber_id subscriber);

  /// Drops every pending change, keeping what was sent.
  void drop_pending();

  /// Forgets what every subscriber was sent, so the next recorded values are all sent.
  void forget_sent();

  /// Whether a flush could send something.
  bool has_pending() const noexcept;

  /// Pending entries over all subscribers (for tests and metrics).
  std::size_t pending_count() const noexcept;

  /// Per subscriber (ascending id), one batch per presence value holding the subjects whose
  /// pending presence differs from what that subscriber was last sent (a flip and flip back
  /// within the window yields nothing). Marks them sent and clears every pending entry.
  std::vector<presence_batch> flush();

 private:
  struct buffer {
    std::map<std::string, events::presence_value> pending;
    std::map<std::string, events::presence_value> sent;
  };

  std::map<subscriber_id, buffer> buffers_;
};

} // namespace presence::actors
