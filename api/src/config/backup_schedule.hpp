#pragma once

// Scheduled online backups of presenced (`--backup-every`, `--backup-keep`).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "presence/events/result.hpp"
#include "presence/storage/backup.hpp"

namespace presence::api::config {

/// Takes a backup every `every` on a thread of its own (the first one `every` after `start`),
/// then deletes all but the newest `keep` backups of `dir` (0 = keeps all). Each outcome is
/// logged; a failed backup is retried at the next period. Not copyable; `stop` (or the destructor)
/// waits for a backup in progress to finish.
class backup_schedule {
 public:
  using take_backup = std::function<result<storage::backup_info>()>;

  backup_schedule() = default;
  ~backup_schedule();
  backup_schedule(const backup_schedule&) = delete;
  backup_schedule& operator=(const backup_schedule&) = delete;

  /// Starts the thread; nothing when `every` is zero. Call once.
  void start(take_backup take, std::string dir, std::chrono::seconds every, uint32_t keep);
  /// Stops the thread. Idempotent.
  void stop();

 private:
  void run(take_backup take, std::string dir, std::chrono::seconds every, uint32_t keep);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  ///< guarded by mutex_
  std::thread thread_;
};

} // namespace presence::api::config
