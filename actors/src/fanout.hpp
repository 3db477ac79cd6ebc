#pragma once

// One broadcaster shard's subscriptions and coalescing buffer (docs/design.md §4): who subscribes
// to whom, what each subscriber was last told about each subject, and the changes waiting for the
// next flush. Plain C++ (no CAF, no clock): the broadcaster's timer decides when to `flush`.
//
// Layout, for memory and speed at large fan-outs: subjects are interned once per shard (a dense
// slot each); a subscription costs a 4-byte subject slot and a 1-byte "last told" value on the
// subscriber's side and a 4-byte subscriber slot on the subject's side. A change is pending per
// subject, not per subscriber, so publishing is O(1) and a flush visits each changed subject once
// and, of its subscribers, those of the phases flushed.
//
// Phases: subscribers are split into `phases` groups by id (`id % phases`), and a flush may serve
// one group at a time, so a broadcaster can spread a flush interval's deliveries over `phases`
// ticks instead of sending them all in one burst. A subject's subscribers are kept ordered by
// phase; a pending change remembers which phases have not been flushed since it was published.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "presence/events/event.hpp"

namespace presence::actors {

/// Subscriber ids are assigned by the engine and shared by every shard.
using subscriber_id = uint64_t;

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

/// Not thread-safe (owned by one broadcaster). Memory: O(subscribers + subjects + subscriptions),
/// independent of how often subjects change. A subject is held only while someone subscribes to
/// it; its latest known presence is forgotten with it.
class fanout {
 public:
  /// The most phases a table may have.
  static constexpr uint32_t max_phases = 64;

  /// A table whose subscribers fall into `phases` groups (clamped to 1..max_phases).
  explicit fanout(uint32_t phases = 1) noexcept;

  uint32_t phases() const noexcept { return phases_; }
  /// The phase of subscriber `id`: `id % phases()`. Every shard with the same phase count agrees.
  uint32_t phase_of(subscriber_id id) const noexcept {
    return static_cast<uint32_t>(id % phases_);
  }

  /// What `replace` changed, each list sorted.
  struct change {
    std::vector<std::string> added;
    std::vector<std::string> removed;
  };

  /// Registers a subscriber with no subjects. `owner` (a user id or empty) receives that user's
  /// `manual_presence_change`. Returns false (and changes nothing) when `id` is already known.
  bool add(subscriber_id id, std::string owner);

  /// Unregisters a subscriber and its subscriptions. No-op for unknown ids.
  void remove(subscriber_id id);

  bool contains(subscriber_id id) const noexcept { return subscriber_slots_.count(id) != 0; }
  std::size_t size() const noexcept { return subscriber_slots_.size(); }

  /// Replaces the whole subject list of `id` (duplicates are ignored). Subjects kept keep what
  /// the subscriber was told; added ones start untold. Precondition: `contains(id)`.
  change replace(subscriber_id id, const std::vector<std::string>& subjects);

  /// `subject` reads `value` now, as answered by its user actor (newer than every publish of it
  /// received so far: the user actor sends both, in order). Becomes its latest known presence;
  /// when another one was known before and `queue`, it is pending like a publish, so every
  /// subscriber told the old one is corrected at the next flush (with none known before, nobody
  /// was told anything: each new subscriber learns it by `catch_up`). Returns whether it became
  /// pending. No-op (false) when nobody subscribes to `subject` or `value` is
  /// `disabled`.
  bool refresh(const std::string& subject, events::presence_value value, bool queue);

  /// When `id` subscribes to `subject`, a latest presence of it is known and `id` was told
  /// something else (or nothing yet): marks it told and returns it. Otherwise nothing.
  std::optional<events::presence_value> catch_up(subscriber_id id, const std::string& subject);

  /// `subject` now reads `value`: remembered as its latest known presence (unless `disabled`) and,
  /// when `queue`, pending for the next flush of every phase (replacing an earlier pending value).
  /// Returns false (and does nothing) when nobody subscribes to `subject`.
  bool publish(const std::string& subject, events::presence_value value, bool queue);

  /// The latest known presence of `subject`, if any.
  std::optional<events::presence_value> known(const std::string& subject) const;

  bool has_subscribers(const std::string& subject) const;
  /// Subscribers of `subject` (ascending); empty when none.
  std::vector<subscriber_id> subscribers_of(const std::string& subject) const;
  /// Subscribers whose owner is `owner` (ascending). Empty for an empty `owner`.
  std::vector<subscriber_id> owned_by(std::string_view owner) const;
  /// Every subscriber id (ascending).
  std::vector<subscriber_id> all() const;
  /// The subjects of `id` (sorted); empty for unknown ids.
  std::vector<std::string> subjects_of(subscriber_id id) const;

  /// Drops every pending change, keeping what was told.
  void drop_pending();

  /// Forgets what every subscriber was told and queues every subject's latest known presence
  /// (the service came back on: clients showed `disabled`). Returns whether anything is pending.
  bool resend_known();

  bool has_pending() const noexcept { return !pending_subjects_.empty(); }
  /// Subjects with a pending change (bounded by the subject count).
  std::size_t pending_count() const noexcept { return pending_subjects_.size(); }

  /// Per subscriber (ascending id), one batch per presence value holding the subjects whose
  /// pending presence differs from what that subscriber was last told (a flip and flip back
  /// within the window yields nothing). Marks them told and clears every pending change.
  std::vector<presence_batch> flush();

  /// `flush()` for the subscribers of phase `phase` (< phases()) only: a pending change stays
  /// pending until every phase was flushed after its publish. Other phases' subscribers are
  /// told nothing and keep what they were told. An unknown phase flushes nothing.
  std::vector<presence_batch> flush(uint32_t phase);

  /// `flush(p)` for every phase p whose bit is set in `mask`, in one pass (bits at or above
  /// phases() are ignored).
  std::vector<presence_batch> flush_phases(uint64_t mask);

  /// Every phase's bit: the low phases() bits.
  uint64_t all_phases() const noexcept { return all_phases_; }

 private:
  using slot = uint32_t;
  static constexpr uint8_t untold = 0xff;

  struct subject_entry {
    const std::string* name = nullptr;  ///< the key in `subject_slots_`
    std::vector<slot> subscribers;      ///< subscriber slots, ordered by phase
    uint64_t pending = 0;               ///< bit p: phase p has not flushed `pending_value` yet
    uint32_t pending_at = 0;            ///< its index in `pending_subjects_` while pending != 0
    events::presence_value pending_value = events::presence_value::offline;
    events::presence_value known_value = events::presence_value::offline;
    bool has_known = false;
  };

  struct subscriber_entry {
    subscriber_id id = 0;
    std::string owner;
    std::vector<slot> subjects;  ///< subject slots, ascending
    std::vector<uint8_t> told;   ///< per subject: the presence_value last told, or `untold`
  };

  const subject_entry* find_subject(const std::string& name) const;
  slot intern(const std::string& name);
  void unlink(slot subscriber, slot subject);
  std::optional<slot> subscriber_slot(subscriber_id id) const;
  /// Lists `subject` (not pending yet) in `pending_subjects_`.
  void list_pending(slot subject);

  uint32_t phases_ = 1;
  uint64_t all_phases_ = 1;  ///< the low `phases_` bits

  std::unordered_map<std::string, slot> subject_slots_;
  std::vector<subject_entry> subjects_;
  std::vector<slot> free_subjects_;
  std::unordered_map<subscriber_id, slot> subscriber_slots_;
  std::vector<subscriber_entry> subscribers_;
  std::vector<slot> free_subscribers_;
  std::map<std::string, std::set<subscriber_id>, std::less<>> by_owner_;
  std::vector<slot> pending_subjects_;  ///< each subject with `pending != 0` once, and no other
};

} // namespace presence::actors
