#pragma once

#include <atomic>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/sanitizer_report.hpp"
#include "support/test_support.hpp"

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

/// Runs `presencectl ARGS...` (PRESENCECTL_PATH) as a child process with stdout and stderr sent to
/// files in `scratch`, waits for it, and returns its exit code and output.
inline run_output run_presencectl(const temp_dir& scratch, const std::vector<std::string>& args) {
  static std::atomic<unsigned> counter{0};
  const std::string tag = std::to_string(counter++);
  const std::string out_path = scratch.sub("stdout-" + tag);
  const std::string err_path = scratch.sub("stderr-" + tag);
  std::vector<std::string> argv{PRESENCECTL_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  run_output result;
  const child_exit ended = run_to_files(std::move(argv), out_path, err_path);
  EXPECT_TRUE(ended.started) << "cannot start " << PRESENCECTL_PATH;
  if (!ended.started)
    return result;
  EXPECT_TRUE(ended.exited) << "presencectl did not exit normally";
  result.exit_code = ended.code;
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
