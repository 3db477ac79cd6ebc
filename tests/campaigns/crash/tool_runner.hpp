#pragma once

// Runs a command-line tool (presencectl) as a child process with its output in files, and waits.

#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace presence::crash {

struct tool_output {
  int exit_code = -1;  ///< -1 when it could not be started or died by a signal
  std::string out;
  std::string err;
};

/// Runs `argv` with stdout to `scratch`/out and stderr to `scratch`/err; reads both back unless
/// `keep_out_in_file` (then `out` is empty and the output stays in `scratch`/out).
inline tool_output run_tool(const std::vector<std::string>& argv, const std::string& scratch,
                            bool keep_out_in_file = false) {
  const std::string out_path = scratch + "/out";
  const std::string err_path = scratch + "/err";
  tool_output result;
  const test::child_exit ended = test::run_to_files(argv, out_path, err_path);
  if (!ended.started) {
    result.err = "cannot start " + argv.at(0);
    return result;
  }
  result.exit_code = ended.code;
  if (!keep_out_in_file)
    result.out = test::read_whole_file(out_path);
  result.err = test::read_whole_file(err_path);
  return result;
}

} // namespace presence::crash
