#pragma once

// Engine notifications on their way to one session's strand. The engine calls a session's sink on
// CAF threads; the strand renders and queues the frames. In between, presence changes that arrive
// together merge: the broadcaster shards flush on a shared grid (every `flush_interval`), so one
// flush reaches a session as one note per shard and presence value, and leaves it as one
// `presence_change` frame per presence value.

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "presence/actors/engine.hpp"

namespace presence::api::rtm {

/// Thread-safe: `add` from any thread, `take` from the consumer. Order is kept between runs of
/// presence changes and the other notifications (status, manual presence, service status).
class notification_inbox {
 public:
  /// Adds a copy of `note`. Returns true when the inbox was idle: the caller must arrange one
  /// `take` (later adds before that `take` return false and ride along).
  bool add(const notification& note);

  /// Everything added since the last take, in order, each run of adjacent presence changes
  /// merged: each user appears once, with its latest value, in one `presence_change` note per
  /// presence value (users sorted). Marks the inbox idle. What a protocol renders from.
  std::vector<notification> take_notes();

  /// What `take` hands over: the frames in order and how many user presences they carry.
  struct rendered {
    std::vector<std::string> frames;
    std::size_t deliveries = 0;
  };

  /// `take_notes`, rendered as RTM frames (`batched`: Slack's batch_presence_aware): a merged
  /// run becomes one frame per presence value, or one per user when not `batched`.
  rendered take(bool batched);

 private:
  struct entry {
    std::optional<notification> other;  ///< a notification other than presence_change
    std::vector<std::pair<std::string, events::presence_value>> presences;  ///< else: a run
  };

  std::mutex mutex_;
  std::vector<entry> entries_;
  bool idle_ = true;
};

} // namespace presence::api::rtm
