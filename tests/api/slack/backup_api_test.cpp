// End-to-end: online backups of a running presenced while a client writes continuously through
// the Web API. `admin.backups.create` mid-stream, then `presencectl restore` (whole, and
// `--until` an instant between two writes): every write acknowledged before the backup call (or
// before the instant) is in the restored database, nothing sent after the instant is, and
// `presencectl verify` finds no fault.
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api_fixture.hpp"
#include "presence/storage/backup.hpp"
#include "support/child_process.hpp"
#include "support/file_watch.hpp"

namespace presence::test {
namespace {

/// Runs `presencectl ARGS...`; returns its exit code and standard output.
std::pair<int, std::string> presencectl(const temp_dir& scratch, std::vector<std::string> args) {
  static std::atomic<unsigned> counter{0};
  const std::string tag = std::to_string(counter++);
  args.insert(args.begin(), PRESENCECTL_PATH);
  auto ended = run_to_files(args, scratch.sub("ctl-out-" + tag), scratch.sub("ctl-err-" + tag));
  EXPECT_TRUE(ended.started && ended.exited);
  auto out = read_whole_file(scratch.sub("ctl-out-" + tag));
  EXPECT_EQ(ended.code, 0) << args[1] << " " << args[2] << ":\n"
                           << out << read_whole_file(scratch.sub("ctl-err-" + tag));
  return {ended.code, out};
}

/// RFC 3339 with microseconds, UTC.
std::string rfc3339(std::chrono::system_clock::time_point at) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ", static_cast<long long>(us % 1'000'000));
  return std::string(text) + fraction;
}

/// Status texts `writer` set, in log order, in the database `db` (through `presencectl export`).
std::vector<std::string> status_texts(const temp_dir& scratch, const std::string& db,
                                      const std::string& writer) {
  auto [code, out] = presencectl(scratch, {"--db", db, "export"});
  std::vector<std::string> texts;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    auto ev = nlohmann::json::parse(line, nullptr, false);
    if (ev.value("stream", "") == writer && ev.value("type", "") == "status_set")
      texts.push_back(ev.value("text", ""));
  }
  return texts;
}

/// A client that sets its status to "w1", "w2", ... as fast as the server answers, on its own
/// connection, and records how many were acknowledged.
class continuous_writer {
 public:
  continuous_writer(const presenced_process& server, std::string token)
    : client_(server.host(), server.port()), token_(std::move(token)),
      thread_([this] { run(); }) {}
  ~continuous_writer() { stop(); }

  /// Awaits at least `count` acknowledged writes; returns how many there are.
  uint64_t await_acknowledged(uint64_t count) {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait_for(lock, std::chrono::seconds{60},
                      [&] { return acknowledged_ >= count || failed_; });
    return acknowledged_;
  }
  uint64_t acknowledged() {
    std::lock_guard<std::mutex> guard{mutex_};
    return acknowledged_;
  }
  /// Awaits the write in flight and holds the next one back; returns how many were acknowledged.
  uint64_t pause() {
    std::unique_lock<std::mutex> lock{mutex_};
    paused_ = true;
    changed_.wait(lock, [&] { return !in_flight_; });
    return acknowledged_;
  }
  void resume() {
    std::lock_guard<std::mutex> guard{mutex_};
    paused_ = false;
    changed_.notify_all();
  }
  /// Stops after the write in flight; returns "" when every write was acknowledged, else the
  /// answer that was not.
  std::string stop() {
    stopping_ = true;
    if (thread_.joinable())
      thread_.join();
    return failure_;
  }

 private:
  void run() {
    for (uint64_t n = 1; !stopping_; ++n) {
      {
        std::unique_lock<std::mutex> lock{mutex_};
        changed_.wait(lock, [&] { return !paused_; });
        in_flight_ = true;
      }
      nlohmann::json profile{{"status_text", "w" + std::to_string(n)}};
      auto res = client_.post_json("/api/users.profile.set", {{"profile", profile}},
                                   {{"Authorization", "Bearer " + token_}});
      std::lock_guard<std::mutex> guard{mutex_};
      in_flight_ = false;
      if (res.status != 200 || !res.json().value("ok", false)) {
        failure_ = std::to_string(res.status) + " " + res.body;
        failed_ = true;
        changed_.notify_all();
        return;
      }
      acknowledged_ = n;
      changed_.notify_all();
    }
  }

  http_client client_;
  std::string token_;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t acknowledged_ = 0;  // guarded by mutex_
  bool failed_ = false;        // guarded by mutex_
  std::string failure_;        // guarded by mutex_: the answer that failed
  bool paused_ = false;        // guarded by mutex_
  bool in_flight_ = false;     // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

/// "w1" ... "wN".
std::vector<std::string> writes_up_to(uint64_t n) {
  std::vector<std::string> out;
  for (uint64_t i = 1; i <= n; ++i)
    out.push_back("w" + std::to_string(i));
  return out;
}

TEST(online_backup, mid_stream_backup_restores_every_write_acknowledged_before_the_call) {
  api_server server({"--rate-limit-per-s", "0"});  // one client writes as fast as it can
  temp_dir scratch;
  auto token = server.create_user("writer");
  continuous_writer writer(server.process(), token);

  writer.await_acknowledged(200);
  const uint64_t before_call = writer.acknowledged();
  auto made = expect_ok(server.slack("admin.backups.create", server.admin()));
  const uint64_t after_call = writer.acknowledged();
  writer.await_acknowledged(after_call + 100);  // writes go on after the backup
  // The instant for --until: after write K was acknowledged, before write K+1 is sent.
  const uint64_t k = writer.pause();
  auto until = rfc3339(std::chrono::system_clock::now());
  writer.resume();
  writer.await_acknowledged(k + 100);
  auto second = expect_ok(server.slack("admin.backups.create", server.admin()));
  ASSERT_EQ(writer.stop(), "") << "a write failed while backups were taken";
  const uint64_t total = writer.acknowledged();

  const auto& backup = made["backup"];
  const std::string backups = server.process().data_dir() + "/backups";
  EXPECT_EQ(backup["id"], 1);
  EXPECT_EQ(backup["path"], backups);
  EXPECT_GT(backup["seq"].get<uint64_t>(), 0u);
  EXPECT_GT(backup["bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(backup["created"].is_number());
  EXPECT_EQ(second["backup"]["id"], 2);
  EXPECT_GT(second["backup"]["seq"].get<uint64_t>(), backup["seq"].get<uint64_t>());

  auto listed = expect_ok(server.slack("admin.backups.list", server.admin()));
  ASSERT_EQ(listed["backups"].size(), 2u) << listed.dump();
  EXPECT_EQ(listed["backups"][0], backup);
  EXPECT_EQ(listed["backups"][1], second["backup"]);

  // Whole restore of backup 1: every write acknowledged before the call, in order, and at most
  // those acknowledged by the time it answered plus the one in flight.
  const std::string restored = scratch.sub("restored");
  presencectl(scratch, {"restore", "--from", backups, "--id", "1", "--db", restored});
  presencectl(scratch, {"--db", restored, "verify"});
  auto texts = status_texts(scratch, restored, "writer");
  ASSERT_GE(texts.size(), before_call);
  EXPECT_LE(texts.size(), after_call + 1);
  texts.resize(before_call);
  EXPECT_EQ(texts, writes_up_to(before_call));
  // The backup's seq is the restored log's newest sequence.
  auto [code, stats] = presencectl(scratch, {"--db", restored, "stats", "--json"});
  EXPECT_EQ(nlohmann::json::parse(stats)["events"], backup["seq"]);

  // Point in time from the later backup: exactly the writes up to K.
  const std::string past = scratch.sub("past");
  presencectl(scratch, {"restore", "--from", backups, "--db", past, "--until", until});
  presencectl(scratch, {"--db", past, "verify"});
  EXPECT_EQ(status_texts(scratch, past, "writer"), writes_up_to(k)) << "until " << until;
  EXPECT_LT(k, total);
}

TEST(online_backup, the_list_before_any_backup_is_empty) {
  api_server server;
  auto listed = expect_ok(server.slack("admin.backups.list", server.admin()));
  EXPECT_EQ(listed["backups"], nlohmann::json::array());
}

TEST(online_backup, scheduled_backups_keep_the_newest) {
  temp_dir dir;
  const std::string backups = dir.sub("elsewhere");
  presenced_process server(dir.sub("data"), {"--backup-every", "1", "--backup-keep", "2",
                                             "--backup-dir", backups, "--log-file",
                                             dir.sub("presenced.log")});
  ASSERT_TRUE(await_file_holding(dir.path().string(), "presenced.log", "scheduled backup id=3",
                                 std::chrono::seconds{60}))
    << detail::slurp(dir.sub("presenced.log"));
  // Stopping waits for a scheduled backup in progress and its purge.
  EXPECT_EQ(server.stop(), 0);
  auto listed = storage::list_backups(backups);
  ASSERT_TRUE(listed.ok()) << describe(listed.error());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_GE((*listed)[1].id, 3u);
  EXPECT_EQ((*listed)[1].id, (*listed)[0].id + 1);
  EXPECT_GT((*listed)[1].seq, 0u);
}

} // namespace
} // namespace presence::test
