#pragma once

// The writes the campaign's clients made: those the server acknowledged (must be in the log after
// any crash) and those in flight when it was killed (may or may not be). Thread-safe.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace presence::crash {

/// One write, described by the event it must have produced.
struct write_record {
  std::string stream;    ///< a user id, or "$workspace"
  nlohmann::json match;  ///< "type" and the event fields that identify it, as export prints them
  int cycle = 0;         ///< the server run (1-based) it was made in
};

class ack_log {
 public:
  /// The server answered ok: the event must be in the log from now on.
  void acked(write_record record) {
    std::lock_guard<std::mutex> guard{mutex_};
    acked_.push_back(std::move(record));
  }
  /// Sent, but the server died before it answered.
  void in_flight(write_record record) {
    std::lock_guard<std::mutex> guard{mutex_};
    in_flight_.push_back(std::move(record));
  }
  /// Every acknowledged write so far, in the order they were acknowledged. Writes to one stream
  /// come from one client, which waits for each answer: their order is the order in the log.
  std::vector<write_record> acked() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return acked_;
  }
  /// The writes in flight at the last kill; clears them.
  std::vector<write_record> take_in_flight() {
    std::lock_guard<std::mutex> guard{mutex_};
    return std::exchange(in_flight_, {});
  }
  std::size_t acked_count() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return acked_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<write_record> acked_;
  std::vector<write_record> in_flight_;
};

} // namespace presence::crash
