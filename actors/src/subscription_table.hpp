#pragma once

// Who subscribes to whom inside one broadcaster shard. Plain C++ (no CAF) so the
// replace-the-whole-list semantics can be unit-tested on their own.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace presence::actors {

/// Subscriber ids are assigned by the engine and shared by every shard.
using subscriber_id = uint64_t;

/// Subscribers, their owners and their subjects, indexed both ways. Not thread-safe (owned by
/// one broadcaster). Memory: O(subscribers + subscriptions).
class subscription_table {
 public:
  /// What `replace` changed, each list sorted.
  struct change {
    std::vector<std::string> added;
    std::vector<std::string> removed;
  };

  /// Registers a subscriber with no subjects. `owner` (a user id or empty) receives that user's
  /// `manual_presence_change`. Returns false (and changes nothing) when `id` is already known.
  bool add(subscriber_id id, std::string owner);

  /// Unregisters a subscriber and returns the subjects it held (sorted). No-op for unknown ids.
  std::vector<std::string> remove(subscriber_id id);

  /// Replaces the whole subject list of `id` (duplicates are ignored). Precondition:
  /// `contains(id)`.
  change replace(subscriber_id id, const std::vector<std::string>& subjects);

  bool contains(subscriber_id id) const noexcept { return entries_.count(id) != 0; }

  /// Subscribers holding `subject` (ascending); empty when none.
  std::vector<subscriber_id> subscribers_of(std::string_view subject) const;

  /// Whether any subscriber holds `subject`.
  bool has_subscribers(std::string_view subject) const;

  /// Subscribers whose owner is `owner` (ascending). Empty for an empty `owner`.
  std::vector<subscriber_id> owned_by(std::string_view owner) const;

  /// Every subscriber id (ascending).
  std::vector<subscriber_id> all() const;

  /// The subjects of `id` (sorted); empty for unknown ids.
  std::vector<std::string> subjects_of(subscriber_id id) const;

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct entry {
    std::string owner;
    std::set<std::string, std::less<>> subjects;
  };

  void unlink(subscriber_id id, const std::string& subject);

  std::map<subscriber_id, entry> entries_;
  std::map<std::string, std::set<subscriber_id>, std::less<>> by_subject_;
  std::map<std::string, std::set<subscriber_id>, std::less<>> by_owner_;
};

} // namespace presence::actors
