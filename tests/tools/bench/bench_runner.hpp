#pragma once

// Runs a benchmark binary at a smoke size and checks only the shape of its output: JSON lines,
// the command line first, a summary last. Never a speed.

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace presence::test {

/// What a benchmark printed and how it exited.
struct bench_run {
  int exit_code = -1;
  std::vector<nlohmann::json> lines;  ///< stdout, one parsed object per line
  std::string text;                   ///< stdout as printed
};

/// Runs `command` through the shell (stderr left on the test's stderr) and, with `json`, parses
/// stdout as JSON lines (each must be an object).
inline bench_run run_bench(const std::string& command, bool json = true) {
  bench_run run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return run;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    run.text += buffer.data();
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!json)
    return run;
  std::istringstream in{run.text};
  for (std::string line; std::getline(in, line);) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(!parsed.is_discarded() && parsed.is_object()) << "not a JSON object: " << line;
    run.lines.push_back(parsed);
  }
  return run;
}

/// The checks every benchmark's output must pass: exit 0, the command line first, and a last
/// line whose `bench` is `bench` and that has each of `keys` (a number, or null for a path this
/// build lacks).
inline void expect_sane(const bench_run& run, const std::string& bench,
                        const std::vector<std::string>& keys) {
  ASSERT_EQ(run.exit_code, 0) << run.text;
  ASSERT_GE(run.lines.size(), 2u) << run.text;
  EXPECT_TRUE(run.lines.front().contains("command")) << run.text;
  const auto& summary = run.lines.back();
  EXPECT_EQ(summary.value("bench", ""), bench) << run.text;
  for (const auto& key : keys) {
    ASSERT_TRUE(summary.contains(key)) << key << " missing in " << summary.dump();
    const auto& value = summary[key];
    EXPECT_TRUE(value.is_null() || value.is_number() || value.is_string()) << key;
    if (value.is_number()) {
      EXPECT_GE(value.get<double>(), 0.0) << key;
    }
  }
  for (const auto& line : run.lines)
    EXPECT_FALSE(line.contains("error")) << line.dump();
}

} // namespace presence::test
