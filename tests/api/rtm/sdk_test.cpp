// Interop: the official Slack RTM client (@slack/rtm-api, from npm) against the real presenced.
// npm installs it (`npm ci` from sdk/package-lock.json) once into RTM_SDK_CACHE; the test is
// skipped when node/npm are missing or npm cannot reach its registry. The client side is in sdk/
// (rtm_client_test.js, idle_client_test.js, directory_client_test.js).

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

namespace fs = std::filesystem;

/// Runs a shell command; its exit code (-1 when it could not run).
int run(const std::string& command) {
  int status = std::system(command.c_str());
  return status == -1 ? -1 : WEXITSTATUS(status);
}

std::string shell_quote(const std::string& text) {
  return "'" + text + "'";
}

/// An exclusive lock on the file `path` (created if missing), held while alive: this binary's
/// tests run as separate ctest processes, possibly at the same time, and share one npm cache.
class file_lock {
 public:
  explicit file_lock(const fs::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT, 0644)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~file_lock() {
    if (fd_ >= 0)
      ::close(fd_);  // releases the lock
  }
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;

 private:
  int fd_;
};

/// Installs the SDK into RTM_SDK_CACHE once (one process at a time); empty when ready, else why
/// the test must skip ("skip: …") or fail.
std::string install_sdk() {
  if (run("command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1") != 0)
    return "skip: node or npm is not installed";
  const fs::path source = RTM_SDK_DIR;
  const fs::path cache = RTM_SDK_CACHE;
  fs::create_directories(cache);
  file_lock lock(cache / "install.lock");
  // The committed lockfile, installed with `npm ci` once per lockfile content.
  bool current = run("cmp -s " + shell_quote((source / "package-lock.json").string()) + " " +
                     shell_quote((cache / "package-lock.json").string())) == 0;
  for (const char* file : {"package.json", "package-lock.json"})
    fs::copy_file(source / file, cache / file, fs::copy_options::overwrite_existing);
  if (current && fs::exists(cache / "node_modules" / "@slack" / "rtm-api" / "package.json"))
    return {};
  auto log = (cache / "npm.log").string();
  if (run("cd " + shell_quote(cache.string()) +
          " && timeout 300 npm ci --no-audit --no-fund --loglevel=error > " + shell_quote(log) +
          " 2>&1") == 0)
    return {};
  fs::remove(cache / "package-lock.json");
  if (run("grep -qiE 'ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|network' " +
          shell_quote(log)) == 0)
    return "skip: npm cannot reach its registry";
  return "npm ci failed, see " + log;
}

/// Runs sdk/`script` with node against `server`, with `args` after the API URL and the
/// admin token; its exit code.
int run_script(rtm_server& server, const std::string& script, const std::string& args = {}) {
  const fs::path source = RTM_SDK_DIR;
  const fs::path cache = RTM_SDK_CACHE;
  auto api = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/";
  return run("NODE_PATH=" + shell_quote((cache / "node_modules").string()) + " timeout 120 node " +
             shell_quote((source / script).string()) + " " + shell_quote(api) + " " +
             shell_quote(server.process().admin_token()) + " " + args);
}

#define PRESENCE_REQUIRE_SDK()                                                                   \
  do {                                                                                           \
    auto missing = install_sdk();                                                                \
    if (missing.rfind("skip: ", 0) == 0)                                                         \
      GTEST_SKIP() << missing.substr(6);                                                         \
    ASSERT_TRUE(missing.empty()) << missing;                                                     \
  } while (false)

TEST(rtm_sdk, official_slack_rtm_client_works_unchanged) {
  PRESENCE_REQUIRE_SDK();
  rtm_server server;
  EXPECT_EQ(run_script(server, "rtm_client_test.js"), 0) << server.process().stderr_text();
}

// Keep-alives, presence_sub and presence_query are not activity: the SDK's ping-only client goes
// away at the idle timeout while one that tickles stays active.
TEST(rtm_sdk, only_what_the_person_does_counts_as_activity) {
  PRESENCE_REQUIRE_SDK();
  rtm_server server({"--idle-timeout", "5", "--activity-log-interval", "1"});
  EXPECT_EQ(run_script(server, "idle_client_test.js", "5"), 0) << server.process().stderr_text();
}

// users.list through 2,500 users by next_cursor, users.info of an always-active bot, and a status
// change reaching a socket that subscribed to nobody as user_change.
TEST(rtm_sdk, the_directory_and_user_change_work_with_the_official_clients) {
  PRESENCE_REQUIRE_SDK();
  rtm_server server({"--rate-limit-per-s", "0"});  // 2,500 admin.users.create calls
  EXPECT_EQ(run_script(server, "directory_client_test.js"), 0) << server.process().stderr_text();
}

} // namespace
} // namespace presence::test
