// Interop: the official Slack RTM client (@slack/rtm-api, from npm) against the real presenced.
// npm installs it once into RTM_SDK_CACHE; the test is skipped when node/npm are missing or npm
// cannot reach its registry. The client side is sdk/rtm_client_test.js.

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

TEST(rtm_sdk, official_slack_rtm_client_works_unchanged) {
  if (run("command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "node or npm is not installed";
  const fs::path source = RTM_SDK_DIR;
  const fs::path cache = RTM_SDK_CACHE;
  fs::create_directories(cache);
  fs::copy_file(source / "package.json", cache / "package.json",
                fs::copy_options::overwrite_existing);
  if (!fs::exists(cache / "node_modules" / "@slack" / "rtm-api" / "package.json")) {
    auto log = (cache / "npm.log").string();
    if (run("cd " + shell_quote(cache.string()) +
            " && timeout 300 npm install --no-audit --no-fund --loglevel=error > " + shell_quote(log) +
            " 2>&1") != 0) {
      if (run("grep -qiE 'ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|network' " +
              shell_quote(log)) == 0)
        GTEST_SKIP() << "npm cannot reach its registry";
      FAIL() << "npm install failed, see " << log;
    }
  }

  rtm_server server;
  auto api = "http://127.0.0.1:" + std::to_string(server.port()) + "/api/";
  int code = run("NODE_PATH=" + shell_quote((cache / "node_modules").string()) + " timeout 120 node " +
                 shell_quote((source / "rtm_client_test.js").string()) + " " + shell_quote(api) + " " +
                 shell_quote(server.process().admin_token()));
  EXPECT_EQ(code, 0) << server.process().stderr_text();
}

} // namespace
} // namespace presence::test
