#pragma once

// Shared plumbing of presence-bench: JSON-lines output, timing, process memory, scratch dirs.

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "presence/events/result.hpp"

namespace presence::bench {

/// Prints `line` as one compact JSON object on its own line of stdout and flushes, so a run that
/// is cut short still leaves every finished figure behind. Thread-compatible (call from one thread).
void emit(const nlohmann::json& line);

/// Prints `{"error": what, "detail": detail}` (`emit`) and returns 1, a failed verb's exit code.
int fail(const char* what, const std::string& detail);

/// `fail` with `describe(err)` as the detail.
int fail(const char* what, const error& err);

/// Prints the exact command line as the first JSON line: {"command": "...", "argv": [...]}.
void emit_command_line(int argc, char** argv);

/// CPU seconds (user + system) this process has used so far, all threads (getrusage).
double process_cpu_seconds() noexcept;

/// Seconds elapsed since construction (steady clock), and the CPU seconds the whole process used
/// meanwhile: on a shared machine the wall time depends on the load, the CPU per event much less.
class stopwatch {
 public:
  stopwatch() : start_(std::chrono::steady_clock::now()), cpu_start_(process_cpu_seconds()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double cpu_seconds() const { return process_cpu_seconds() - cpu_start_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

/// Events (or other units) per second, 0 when `seconds` is not positive.
double per_second(uint64_t count, double seconds) noexcept;

/// `numerator / denominator` rounded to 4 decimals, 0 when the denominator is 0.
double ratio(double numerator, double denominator) noexcept;

/// Resident set size of this process in bytes, from /proc/self/statm; 0 if unreadable.
uint64_t resident_bytes() noexcept;

/// Microseconds since the Unix epoch (system clock), for event timestamps.
int64_t now_us() noexcept;

/// A fresh directory under $TMPDIR (or /tmp) removed with everything in it on destruction.
/// `keep()` leaves it in place (for inspection). Not copyable.
class scratch_dir {
 public:
  explicit scratch_dir(const std::string& prefix);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::string& path() const noexcept { return path_; }
  /// A path inside the directory (not created).
  std::string sub(const std::string& name) const { return path_ + "/" + name; }
  void keep() noexcept { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

/// Bytes of disk used by the files under `path` (0 if it does not exist).
uint64_t directory_bytes(const std::string& path);

/// Drops `path`'s files from the page cache where the kernel allows it (posix_fadvise
/// DONTNEED on every file), so a following read is as cold as an unprivileged process can make it.
void evict_from_page_cache(const std::string& path);

} // namespace presence::bench
