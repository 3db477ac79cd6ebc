#pragma once

// Awaiting what a server process writes into a file (its log), with inotify: no polling loop.

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace presence::test {

/// Awaits the file `name` in directory `dir` holding `needle` (it may not exist yet), for at most
/// `timeout`. Returns whether it did.
inline bool await_file_holding(const std::string& dir, const std::string& name,
                               const std::string& needle, std::chrono::seconds timeout) {
  const std::string path = dir + "/" + name;
  const auto holds = [&] {
    std::ifstream in{path};
    std::stringstream text;
    text << in.rdbuf();
    return text.str().find(needle) != std::string::npos;
  };
  int fd = ::inotify_init1(IN_CLOEXEC);
  if (fd < 0)
    return false;
  if (::inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_MODIFY) < 0) {
    ::close(fd);
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool found = false;
  // Checked after the watch is set, so a write between the check and the wait still wakes it.
  while (!(found = holds())) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      break;
    char events[4096];
    if (::read(fd, events, sizeof events) <= 0)
      break;
  }
  ::close(fd);
  return found;
}

} // namespace presence::test
