#pragma once

// Runs a command-line tool (presencectl) as a child process with its output in files, and waits.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace presence::crash {

struct tool_output {
  int exit_code = -1;  ///< -1 when it could not be started or died by a signal
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs `argv` with stdout to `scratch`/out and stderr to `scratch`/err; reads both back unless
/// `keep_out_in_file` (then `out` is empty and the output stays in `scratch`/out).
inline tool_output run_tool(const std::vector<std::string>& argv_text, const std::string& scratch,
                            bool keep_out_in_file = false) {
  const std::string out_path = scratch + "/out";
  const std::string err_path = scratch + "/err";
  std::vector<std::string> args = argv_text;
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  tool_output result;
  int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    result.err = "cannot start " + args[0];
    return result;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!keep_out_in_file)
    result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

} // namespace presence::crash
