#pragma once

// Helpers for the engine facade tests: configs over a temp directory, a child process that
// re-runs this test binary (to stop an engine uncleanly with _exit), RSS, and a notification box.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "presence/actors/engine.hpp"
#include "support/test_support.hpp"

extern char** environ;

namespace presence::test {

/// The variable that tells a child test where its database is (unset: the child tests skip).
inline constexpr const char* child_dir_variable = "PRESENCE_ENGINE_CHILD_DIR";

/// The directory a child test works in, or empty when this process is not such a child.
inline std::string child_dir() {
  const char* dir = std::getenv(child_dir_variable);
  return dir == nullptr ? std::string{} : std::string{dir};
}

/// Runs this test binary again with only `test` (a gtest filter) and the child variable set to
/// `dir`; returns its exit code (-1 when it did not exit normally). fork+exec at once, so the
/// child starts with no threads of ours.
inline int run_child(const std::string& test, const std::string& dir) {
  std::string filter = "--gtest_filter=" + test;
  std::string variable = std::string{child_dir_variable} + "=" + dir;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.push_back(*e);
  env.push_back(variable.data());
  env.push_back(nullptr);
  char self_name[] = "engine_test";
  std::vector<char*> argv{self_name, filter.data(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execve("/proc/self/exe", argv.data(), env.data());
    ::_exit(127);
  }
  int wstatus = 0;
  if (pid < 0 || ::waitpid(pid, &wstatus, 0) != pid)
    return -1;
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

/// Resident set size of this process in bytes.
inline uint64_t resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// An engine config over `path` with a short request timeout for tests.
inline engine_config test_config(const std::string& path) {
  engine_config config;
  config.db_path = path;
  config.request_timeout = std::chrono::seconds{30};
  return config;
}

/// Collects notifications from a subscription callback (a CAF thread) for the test thread.
class notification_box {
 public:
  notification_callback callback() {
    return [this](const notification& note) {
      std::lock_guard<std::mutex> guard{mutex_};
      seen_.push_back(note);
      changed_.notify_all();
    };
  }
  /// Waits (at most 10 s) until `pred(seen)` holds; returns whether it did.
  bool wait_until(const std::function<bool(const std::vector<notification>&)>& pred) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, std::chrono::seconds{10}, [&] { return pred(seen_); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<notification> seen_;
};

/// True when some presence_change in `seen` says `user` has `value`.
inline bool has_presence(const std::vector<notification>& seen, const std::string& user,
                         events::presence_value value) {
  for (const auto& note : seen)
    if (note.type == notification::kind::presence_change && note.presence == value)
      for (const auto& u : note.users)
        if (u == user)
          return true;
  return false;
}

} // namespace presence::test
