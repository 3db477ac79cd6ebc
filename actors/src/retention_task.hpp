#pragma once

// The engine's periodic retention (storage/retention.hpp): a thread of its own that, every
// `interval`, folds and deletes the user-stream events older than `horizon` before the engine's
// clock. Not an actor: a pass is long blocking I/O and must not hold a scheduler thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "presence/events/time.hpp"
#include "presence/storage/event_log.hpp"

namespace presence::actors {

class retention_task {
 public:
  /// Starts the thread; the first pass runs at once. `horizon` and `interval` are positive.
  retention_task(std::shared_ptr<storage::event_log> log, std::chrono::seconds horizon,
                 std::chrono::seconds interval, std::function<events::instant()> clock);
  /// Stops the thread after the pass under way, if any (`stop`).
  ~retention_task();
  retention_task(const retention_task&) = delete;
  retention_task& operator=(const retention_task&) = delete;

  /// Wakes the thread, waits for it to finish its pass and exit. Idempotent.
  void stop();

 private:
  void run();

  std::shared_ptr<storage::event_log> log_;
  std::chrono::seconds horizon_;
  std::chrono::seconds interval_;
  std::function<events::instant()> clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace presence::actors
