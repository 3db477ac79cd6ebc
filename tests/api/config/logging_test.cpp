// End-to-end: presenced logging to a file as JSON lines, reopening it on SIGHUP after a rotation,
// and still stopping cleanly on SIGTERM.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "support/file_watch.hpp"
#include "support/presenced_process.hpp"
#include "support/test_support.hpp"

namespace presence::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST(presenced_logging, json_lines_to_a_file_reopened_on_sighup) {
  temp_dir dir;
  const std::string log = dir.sub("presenced.log");
  presenced_process server(dir.sub("data"), {"--log-file", log, "--log-format", "json"});
  const pid_t pid = server.pid();

  // Rotate: move the file away, then SIGHUP; the server opens a new file of the same name.
  std::filesystem::rename(log, dir.sub("presenced.log.1"));
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  ASSERT_TRUE(await_file_holding(dir.path().string(), "presenced.log", "log file reopened",
                                 std::chrono::seconds{30}))
    << detail::slurp(log);
  EXPECT_EQ(server.stop(), 0) << detail::slurp(log);

  const auto before = detail::slurp(dir.sub("presenced.log.1"));
  const auto after = detail::slurp(log);
  EXPECT_NE(before.find("engine opening"), std::string::npos) << before;
  EXPECT_EQ(before.find("shutting down"), std::string::npos) << before;
  EXPECT_NE(after.find("shutting down signal=SIGTERM"), std::string::npos) << after;
  EXPECT_NE(after.find("\"msg\":\"stopped\""), std::string::npos) << after;
  // Every line of both files is one JSON object with the text log's three fields.
  for (const auto* text : {&before, &after}) {
    auto lines = lines_of(*text);
    EXPECT_FALSE(lines.empty());
    for (const auto& line : lines) {
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      ASSERT_TRUE(parsed.is_object()) << line;
      EXPECT_EQ(parsed.size(), 3u) << line;
      EXPECT_TRUE(parsed["ts"].is_string()) << line;
      EXPECT_EQ(parsed["ts"].get<std::string>().size(), 29u) << line; // 2026-12-06T04:31:43.120+00:00
      EXPECT_TRUE(parsed["level"].is_string()) << line;
      EXPECT_TRUE(parsed["msg"].is_string()) << line;
    }
  }
  // Nothing went to standard error.
  EXPECT_EQ(server.stderr_text(), "");
}

TEST(presenced_logging, text_lines_to_a_file_by_default) {
  temp_dir dir;
  const std::string log = dir.sub("presenced.log");
  presenced_process server(dir.sub("data"), {"--log-file", log});
  EXPECT_EQ(server.stop(), 0);
  auto lines = lines_of(detail::slurp(log));
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) {
    // TS LEVEL MSG
    ASSERT_GT(line.size(), 30u) << line;
    EXPECT_EQ(line[4], '-') << line;
    EXPECT_EQ(line[10], 'T') << line;
    EXPECT_NE(line.find(' '), std::string::npos) << line;
    EXPECT_NE(line.front(), '{') << line;
  }
}

TEST(presenced_logging, an_unwritable_log_file_is_a_configuration_error) {
  temp_dir dir;
  { std::ofstream{dir.sub("a-file")} << "not a directory"; }
  auto ended = run_presenced({"--data-dir", dir.sub("data"), "--listen", "127.0.0.1:0",
                              "--log-file", dir.sub("a-file/presenced.log")},
                             {}, std::chrono::seconds{30});
  EXPECT_EQ(ended.code, 2);
  EXPECT_NE(ended.stderr_text.find("log_file"), std::string::npos) << ended.stderr_text;
}

} // namespace
} // namespace presence::test
