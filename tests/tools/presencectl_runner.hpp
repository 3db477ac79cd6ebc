#pragma once

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/sanitizer_report.hpp"
#include "support/test_support.hpp"

extern char** environ;

namespace presence::test {

/// What one run of the real presencectl binary printed and returned.
struct run_output {
  int exit_code = -1;
  std::string out;
  std::string err;

  /// stdout parsed as one JSON document (fails the test on a parse error).
  nlohmann::json json() const {
    auto parsed = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "stdout is not JSON:\n" << out << "\nstderr:\n" << err;
    return parsed;
  }
  /// stdout parsed as JSON lines.
  std::vector<nlohmann::json> json_lines() const {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(nlohmann::json::parse(line, nullptr, false));
      EXPECT_FALSE(lines.back().is_discarded()) << "not a JSON line: " << line;
    }
    return lines;
  }
};

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs `presencectl ARGS...` (PRESENCECTL_PATH) as a child process with stdout and stderr sent to
/// files in `scratch`, waits for it, and returns its exit code and output.
inline run_output run_presencectl(const temp_dir& scratch, const std::vector<std::string>& args) {
  static std::atomic<unsigned> counter{0};
  const std::string tag = std::to_string(counter++);
  const std::string out_path = scratch.sub("stdout-" + tag);
  const std::string err_path = scratch.sub("stderr-" + tag);
  std::vector<std::string> argv_text{PRESENCECTL_PATH};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  run_output result;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawned, 0) << "cannot start " << argv[0];
  if (spawned != 0)
    return result;
  int wait_status = 0;
  EXPECT_EQ(waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFEXITED(wait_status)) << "presencectl did not exit normally";
  result.exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  result.out = read_whole_file(out_path);
  result.err = read_whole_file(err_path);
  auto report = sanitizer_report(result.err);
  EXPECT_TRUE(report.empty()) << "presencectl printed a sanitizer report:\n" << report;
  return result;
}

/// The scenario files of tests/tools/data.
inline std::string data_file(const std::string& name) {
  return std::string(PRESENCE_TOOLS_TEST_DATA) + "/" + name;
}

/// A temporary directory with a database path in it and a shorthand to run verbs against it.
class ctl_fixture : public ::testing::Test {
 protected:
  /// `presencectl --db <db> ARGS...`
  run_output ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_});
    return run_presencectl(dir_, args);
  }
  /// Imports `file` and asserts it succeeded.
  void import(const std::string& file) {
    auto run = ctl({"import", file});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  temp_dir dir_;
  std::string db_ = dir_.sub("db");
};

} // namespace presence::test
