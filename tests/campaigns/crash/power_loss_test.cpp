// The fsync shim and the power-loss model together: a real process writes under the shim and is
// killed; drop_unsynced must keep exactly what was made durable.

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "power_loss.hpp"
#include "support/test_support.hpp"
#include "tool_runner.hpp"

namespace {

namespace fs = std::filesystem;
using presence::crash::drop_unsynced;
using presence::crash::power_loss_report;
using presence::test::read_whole_file;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// Runs the probe on `dir` under the shim; returns its wait status.
int run_probe(const std::string& dir, const std::string& side_log) {
  // Under ASan the preloaded shim comes before the sanitizer runtime, which ASan refuses by
  // default; the shim replaces no allocation function, so that order is harmless.
  const char* asan = ::getenv("ASAN_OPTIONS");
  const std::string asan_options =
    (asan != nullptr && *asan != '\0' ? std::string{asan} + ":" : "") + "verify_asan_link_order=0";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("LD_PRELOAD", PRESENCE_SHIM_PATH, 1);
    ::setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
    ::setenv("PRESENCE_SHIM_LOG", side_log.c_str(), 1);
    ::setenv("PRESENCE_SHIM_DIR", dir.c_str(), 1);
    ::execl(SHIM_PROBE_PATH, SHIM_PROBE_PATH, dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(power_loss, keeps_exactly_what_was_synced) {
  presence::test::temp_dir scratch;
  const std::string dir = scratch.sub("data");
  const std::string side_log = scratch.sub("shim.log");
  fs::create_directories(dir);
  write_file(dir + "/pre", "old");
  int status = run_probe(dir, side_log);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "probe status " << status;
  // Before the drop everything written is there (the page cache survives a killed process).
  EXPECT_EQ(read_whole_file(dir + "/kept"), "durable-lost");
  EXPECT_EQ(read_whole_file(dir + "/pre"), "old-appended");
  EXPECT_TRUE(fs::exists(dir + "/orphan"));

  power_loss_report report;
  std::string error;
  ASSERT_TRUE(drop_unsynced(side_log, report, error)) << error;
  EXPECT_EQ(read_whole_file(dir + "/kept"), "durable");
  EXPECT_EQ(read_whole_file(dir + "/pre"), "old");
  EXPECT_TRUE(fs::exists(dir + "/unsynced"));
  EXPECT_EQ(fs::file_size(dir + "/unsynced"), 0u);
  EXPECT_EQ(read_whole_file(dir + "/renamed"), "renamed");
  EXPECT_FALSE(fs::exists(dir + "/renamed.tmp"));
  EXPECT_FALSE(fs::exists(dir + "/orphan"));
  EXPECT_EQ(report.files_truncated, 2u);  // kept, pre
  EXPECT_EQ(report.files_emptied, 1u);    // unsynced
  EXPECT_EQ(report.files_removed, 1u);    // orphan
  EXPECT_EQ(report.bytes_dropped, std::string("-lost-appendedunsynced-datano-entry").size());
  EXPECT_EQ(report.renames_unsynced, 0u);
  // The side log is consumed: a second drop changes nothing.
  power_loss_report again;
  ASSERT_TRUE(drop_unsynced(side_log, again, error)) << error;
  EXPECT_EQ(again.log_lines, 0u);
  EXPECT_EQ(read_whole_file(dir + "/kept"), "durable");
}

TEST(power_loss, without_the_shim_nothing_is_recorded_or_dropped) {
  presence::test::temp_dir scratch;
  const std::string dir = scratch.sub("data");
  fs::create_directories(dir);
  write_file(dir + "/pre", "old");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(SHIM_PROBE_PATH, SHIM_PROBE_PATH, dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  power_loss_report report;
  std::string error;
  ASSERT_TRUE(drop_unsynced(scratch.sub("absent.log"), report, error)) << error;
  EXPECT_EQ(report.log_lines, 0u);
  EXPECT_EQ(read_whole_file(dir + "/kept"), "durable-lost");
  EXPECT_TRUE(fs::exists(dir + "/orphan"));
}

} // namespace
