#pragma once

// The bounded outbound queue of one real-time session. Not thread-safe: a session touches it only
// on its own executor.

#include <cstddef>
#include <list>
#include <string>

namespace presence::api::rtm {

/// Frames waiting to be written, front first. The backlog counts every byte not yet fully sent,
/// including the frame being written (the front). A push that would take the backlog past
/// `max_bytes` is refused: the caller cuts the client off as a slow consumer. An empty queue
/// accepts any single frame, so a frame larger than the bound is not mistaken for a backlog;
/// memory stays below `max_bytes` plus one frame.
class send_queue {
 public:
  explicit send_queue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  /// Appends `frame`; false (and `frame` dropped) when it would pass the bound.
  [[nodiscard]] bool push(std::string frame);
  /// The oldest frame. Precondition: `!empty()`.
  const std::string& front() const { return frames_.front(); }
  /// Drops the front frame once written. Precondition: `!empty()`.
  void pop();
  /// Drops every frame not yet handed to the socket: all of them, or all but the front when
  /// `front_in_flight` (its bytes are being written and must stay alive until that completes).
  void drop_unsent(bool front_in_flight);

  bool empty() const noexcept { return frames_.empty(); }
  std::size_t frames() const noexcept { return frames_.size(); }
  /// Bytes queued, the front included.
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t max_bytes() const noexcept { return max_bytes_; }

 private:
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  // A list, not a deque: an empty std::list holds no heap memory, libstdc++'s empty deque holds
  // 576 bytes (its map and first node), and most sessions are idle with nothing queued. Nodes
  // never move, so the front's bytes stay put while an async write reads them.
  std::list<std::string> frames_;
};

} // namespace presence::api::rtm
