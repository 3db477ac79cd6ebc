#include "config/backup_schedule.hpp"

#include <utility>

#include <spdlog/spdlog.h>

namespace presence::api::config {

backup_schedule::~backup_schedule() {
  stop();
}

void backup_schedule::start(take_backup take, std::string dir, std::chrono::seconds every,
                            uint32_t keep) {
  if (every.count() <= 0)
    return;
  spdlog::info("backup schedule every={}s keep={} dir={}", every.count(), keep, dir);
  thread_ = std::thread([this, take = std::move(take), dir = std::move(dir), every, keep] {
    run(take, dir, every, keep);
  });
}

void backup_schedule::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void backup_schedule::run(take_backup take, std::string dir, std::chrono::seconds every,
                          uint32_t keep) {
  auto next = std::chrono::steady_clock::now() + every;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock{mutex_};
      if (wake_.wait_until(lock, next, [this] { return stopping_; }))
        return;
    }
    next += every;
    if (next < std::chrono::steady_clock::now()) // a backup took longer than the period
      next = std::chrono::steady_clock::now() + every;
    auto made = take();
    if (!made) {
      spdlog::error("scheduled backup failed: {}", describe(made.error()));
      continue;
    }
    if (keep != 0)
      if (auto purged = storage::purge_backups(dir, keep); !purged)
        spdlog::error("purging old backups: {}", describe(purged.error()));
    spdlog::info("scheduled backup id={} seq={} bytes={} dir={} keep={}", made->id, made->seq,
                 made->bytes, made->path, keep);
  }
}

} // namespace presence::api::config
