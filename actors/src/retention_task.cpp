#include "retention_task.hpp"

#include <utility>

#include <caf/logger.hpp>

#include "presence/storage/retention.hpp"

namespace presence::actors {

retention_task::retention_task(std::shared_ptr<storage::event_log> log,
                               std::chrono::seconds horizon, std::chrono::seconds interval,
                               std::function<events::instant()> clock)
  : log_(std::move(log)), horizon_(horizon), interval_(interval), clock_(std::move(clock)),
    thread_([this] { run(); }) {}

retention_task::~retention_task() {
  stop();
}

void retention_task::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void retention_task::run() {
  std::unique_lock<std::mutex> lock{mutex_};
  while (!stopping_) {
    lock.unlock();
    const auto horizon = events::to_timestamp(clock_() - horizon_);
    if (auto pass = storage::apply_retention(*log_, horizon); !pass)
      CAF_LOG_WARNING("retention pass failed:" << describe(pass.error()));
    lock.lock();
    // A periodic job, not a synchronisation: stop() wakes it at once.
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

} // namespace presence::actors
