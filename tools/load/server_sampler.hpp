#pragma once

// Sampling another process (presenced) over a long presence-load run: its resident memory, open
// file descriptors (sockets among them) and threads, read from /proc, printed as one JSON line
// per period beside the load generator's own counters.

#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace presence::load {

/// What /proc says about one process; every field 0 when it could not be read.
struct process_stats {
  uint64_t rss_bytes = 0;  ///< VmRSS of /proc/PID/status
  uint64_t threads = 0;    ///< Threads of /proc/PID/status
  uint64_t fds = 0;        ///< entries of /proc/PID/fd
  uint64_t sockets = 0;    ///< of those, the ones that are sockets ("socket:[inode]")
};

/// Reads `pid`'s figures from /proc; all zero when pid <= 0 or the process is gone. Reading the
/// fd directory of another user's process needs the same uid (or root).
process_stats read_process_stats(int pid);

/// Resident bytes of process `pid` (VmRSS in /proc/PID/status); 0 when unreadable or pid <= 0.
uint64_t process_rss_bytes(int pid);

/// Prints `{"bench":"load","phase":"sample","t_s":…,"server_rss_bytes":…,"server_fds":…,
/// "server_sockets":…,"server_threads":…, …counters()}` every `period_s` seconds between start()
/// and stop(), and once more at stop(). `t_s` counts from construction. Single-threaded: runs
/// on `io`'s thread, as must start(), stop() and `counters`.
class server_sampler {
 public:
  server_sampler(boost::asio::io_context& io, int pid, double period_s,
                 std::function<nlohmann::json()> counters);
  ~server_sampler();
  server_sampler(const server_sampler&) = delete;
  server_sampler& operator=(const server_sampler&) = delete;

  /// Takes the first sample now and schedules the next; a no-op when period_s <= 0.
  void start();
  /// Takes a last sample (when started) and cancels the timer.
  void stop();

 private:
  void sample();
  void schedule();

  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace presence::load
