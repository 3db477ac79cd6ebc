// Fault injection, a full disk, end to end: the real presenced with its data directory on a
// 16 MiB tmpfs, filled with a filler file. Writes over the Web API, the REST API and RTM connects
// are refused with the documented error and are not acknowledged; reads keep working; the server
// stays up; once the filler is removed writes succeed again; after a restart every acknowledged
// write is in the log (presencectl export) and no refused write is, and the log verifies.
// Skips when a tmpfs cannot be mounted (needs CAP_SYS_ADMIN), as tests/storage/disk_full_test.

#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/error_mapping.hpp"
#include "support/http_client.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"
#include "support/tmpfs_mount.hpp"
#include "support/ws_client.hpp"
#include "tools/presencectl_runner.hpp"

namespace presence::test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

/// Speaks the Web API and the REST API to one running presenced.
class api_client {
 public:
  explicit api_client(const presenced_process& server)
    : server_(server), http_(server.host(), server.port()) {}

  /// POST /api/<method> as `token`; the HTTP status must be 200 (Slack answers errors in the body).
  json slack(const std::string& method, const std::string& token, const json& body = {}) {
    auto res = http_.post_json("/api/" + method, body.is_null() ? json::object() : body,
                               {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(res.status, 200) << method << ": " << res.body;
    return res.json();
  }
  http_response rest_post(const std::string& method, const std::string& token,
                          const std::string& user, const json& body) {
    return http_.post_json("/api/v1/" + method, body, {{"X-Auth-Token", token}, {"X-User-Id", user}});
  }
  http_response rest_get(const std::string& target, const std::string& token,
                         const std::string& user) {
    return http_.get("/api/v1/" + target, {{"X-Auth-Token", token}, {"X-User-Id", user}});
  }
  http_response get(const std::string& target) { return http_.get(target); }

  /// users.profile.set of a status text as `token`.
  json set_status(const std::string& token, const std::string& text) {
    return slack("users.profile.set", token,
                 {{"profile", {{"status_text", text}, {"status_emoji", ":floppy_disk:"}}}});
  }
  std::string create_user(const std::string& id) {
    auto answer = slack("admin.users.create", server_.admin_token(), {{"id", id}, {"name", id}});
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
    return answer.value("token", "");
  }
  /// The path and query of a fresh one-time RTM URL of `token`.
  std::string rtm_target(const std::string& token) {
    auto url = slack("rtm.connect", token).value("url", "");
    auto path = url.find("/rtm");
    return path == std::string::npos ? std::string{} : url.substr(path);
  }

 private:
  const presenced_process& server_;
  http_client http_;
};

bool refused_as_full(const json& answer) {
  return answer.value("ok", true) == false && answer.value("error", "") == "storage_full";
}

/// The status texts of every `status_set` event of `user` in an export.
std::set<std::string> exported_texts(const run_output& exported, const std::string& user) {
  std::set<std::string> texts;
  for (const auto& line : exported.json_lines())
    if (line.value("type", "") == "status_set" && line.value("stream", "") == user)
      texts.insert(line.value("text", ""));
  return texts;
}

TEST(disk_full_e2e, writes_are_refused_reads_keep_working_and_writes_resume_with_space) {
  temp_dir dir;
  tmpfs_mount mount{dir.sub("mnt"), "16m"};
  if (!mount.mounted())
    GTEST_SKIP() << "cannot mount a tmpfs to fill (" << mount.error()
                 << "); run as root with CAP_SYS_ADMIN for this test";
  const std::string data = mount.path() + "/data";
  const std::string filler = mount.path() + "/filler";
  const std::vector<std::string> options = {"--rate-limit-per-s", "0"};
  std::vector<std::string> acknowledged;  // status texts the server answered ok to
  std::vector<std::string> refused;       // status texts it refused
  std::string alice;
  {
    presenced_process server{data, options};
    api_client api{server};
    alice = api.create_user("alice");
    ASSERT_EQ(api.set_status(alice, "ack-before-full").value("ok", false), true);
    acknowledged.push_back("ack-before-full");
    ASSERT_EQ(api.slack("users.setPresence", alice, {{"presence", "away"}}).value("ok", false), true);

    auto filled = fill_until_full(filler);
    ASSERT_GT(filled, 0u);
    // The first few small writes may still land in the tail of a page RocksDB's WAL file already
    // holds; each is acknowledged (and checked later). The disk runs out within a few hundred.
    json refusal;
    for (int i = 0; i < 2000 && refusal.is_null(); ++i) {
      auto text = "ack-while-full-" + std::to_string(i);
      auto answer = api.set_status(alice, text);
      if (answer.value("ok", false)) {
        acknowledged.push_back(text);
      } else {
        refusal = answer;
        refused.push_back(text);
      }
    }
    ASSERT_FALSE(refusal.is_null()) << "2000 writes fitted on a full disk";
    std::cout << "filler: " << filled << " bytes; writes acknowledged after the fill: "
              << acknowledged.size() - 1 << "\n";
    ASSERT_TRUE(refused_as_full(refusal)) << refusal.dump();
    EXPECT_NE(refusal.dump().find(api::http::storage_full_detail), std::string::npos)
      << refusal.dump();

    // While full, every write is refused the same way and acknowledged nowhere.
    for (int i = 0; i < 20; ++i) {
      auto text = "refused-" + std::to_string(i);
      auto answer = api.set_status(alice, text);
      EXPECT_TRUE(refused_as_full(answer)) << answer.dump();
      refused.push_back(text);
    }
    EXPECT_TRUE(refused_as_full(api.slack("users.setPresence", alice, {{"presence", "auto"}})));
    auto rest = api.rest_post("users.setStatus", alice, "alice",
                              {{"status", "busy"}, {"message", "refused-rest"}});
    refused.push_back("refused-rest");
    EXPECT_EQ(rest.status, 507) << rest.body;
    EXPECT_EQ(rest.json().value("errorType", ""), "error-storage-full") << rest.body;

    // An RTM connect cannot be logged: the socket is closed with the reason, before any hello.
    ws_client refused_socket;
    ASSERT_EQ(refused_socket.connect(server.port(), api.rtm_target(alice)), "");
    EXPECT_FALSE(refused_socket.next_json(milliseconds(5000)).has_value());
    ASSERT_TRUE(refused_socket.await_close(milliseconds(5000)));
    EXPECT_EQ(refused_socket.close_reason().code, 1008u);
    EXPECT_EQ(std::string(refused_socket.close_reason().reason.c_str()),
              "connect refused: disk_full");

    // Reads are served from the actors' state: what was acknowledged, none of what was refused.
    auto presence = api.slack("users.getPresence", alice, {{"user", "alice"}});
    EXPECT_EQ(presence.value("manual_presence", ""), "away") << presence.dump();
    EXPECT_EQ(presence.value("connection_count", -1), 0) << presence.dump();
    auto profile = api.slack("users.profile.get", alice, {{"user", "alice"}});
    EXPECT_EQ(profile["profile"].value("status_text", ""), acknowledged.back()) << profile.dump();
    auto status = api.rest_get("users.getStatus?userId=alice", alice, "alice");
    EXPECT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.json().value("message", ""), acknowledged.back()) << status.body;
    EXPECT_EQ(api.get("/healthz").status, 200);
    EXPECT_EQ(api.get("/readyz").status, 200);

    // Space returns: the next write goes through (the log resumes on its next append).
    std::filesystem::remove(filler);
    auto freed_at = steady::now();
    int attempts = 0;
    bool recovered = false;
    while (!recovered && steady::now() - freed_at < std::chrono::seconds(30)) {
      auto text = "ack-after-full-" + std::to_string(attempts++);
      auto answer = api.set_status(alice, text);
      recovered = answer.value("ok", false);
      (recovered ? acknowledged : refused).push_back(text);
    }
    ASSERT_TRUE(recovered) << "writes still refused 30 s after the filler was removed";
    std::cout << "recovered after " << attempts << " attempt(s), "
              << std::chrono::duration_cast<milliseconds>(steady::now() - freed_at).count()
              << " ms after the filler was removed\n";
    EXPECT_EQ(attempts, 1);
    EXPECT_EQ(api.slack("users.setPresence", alice, {{"presence", "auto"}}).value("ok", false), true);
    ws_client socket;
    ASSERT_EQ(socket.connect(server.port(), api.rtm_target(alice)), "");
    auto hello = socket.next_json(milliseconds(5000));
    ASSERT_TRUE(hello.has_value());
    EXPECT_EQ(hello->value("type", ""), "hello");
    socket.close();
    EXPECT_EQ(server.stop(), 0) << server.stderr_text();
  }

  // A restart rebuilds from the log: the last acknowledged write, not a refused one.
  {
    presenced_process server{data, options};
    api_client api{server};
    auto profile = api.slack("users.profile.get", alice, {{"user", "alice"}});
    EXPECT_EQ(profile["profile"].value("status_text", ""), acknowledged.back()) << profile.dump();
    auto presence = api.slack("users.getPresence", alice, {{"user", "alice"}});
    EXPECT_EQ(presence.value("manual_presence", ""), "auto") << presence.dump();
    EXPECT_EQ(server.stop(), 0);
  }
  temp_dir scratch;
  auto verified = run_presencectl(scratch, {"--db", data, "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("verify: OK"), std::string::npos) << verified.out;
  auto exported = run_presencectl(scratch, {"--db", data, "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto texts = exported_texts(exported, "alice");
  for (const auto& text : acknowledged)
    EXPECT_EQ(texts.count(text), 1u) << "acknowledged but not in the log: " << text;
  for (const auto& text : refused)
    EXPECT_EQ(texts.count(text), 0u) << "refused but in the log: " << text;
  EXPECT_EQ(texts.size(), acknowledged.size());
  std::cout << "acknowledged " << acknowledged.size() << ", refused " << refused.size()
            << "; exported status_set events of alice: " << texts.size() << "\n";
}

} // namespace
} // namespace presence::test
