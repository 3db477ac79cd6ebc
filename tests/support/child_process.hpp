#pragma once

// Runs a program as a child process with stdin from /dev/null and stdout/stderr in files, and
// waits for it. No GoogleTest here: the crash campaign's driver uses it outside any test.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace presence::test {

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// How a child ended.
struct child_exit {
  bool started = false;  ///< posix_spawn succeeded
  bool exited = false;   ///< it exited (rather than died by a signal)
  int code = -1;         ///< its exit code; -1 unless `exited`
};

/// Starts `argv` (argv[0] a path) with stdout to `out_path` and stderr to `err_path` (both
/// truncated). Returns its process id, or -1 when posix_spawn failed.
inline pid_t spawn_to_files(std::vector<std::string> argv, const std::string& out_path,
                            const std::string& err_path) {
  std::vector<char*> args;
  for (auto& arg : argv)
    args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  bool started = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0;
  posix_spawn_file_actions_destroy(&actions);
  return started ? pid : -1;
}

/// Runs `argv` (argv[0] a path) with stdout to `out_path` and stderr to `err_path` (both
/// truncated) and waits for it, retrying the wait on EINTR.
inline child_exit run_to_files(std::vector<std::string> argv, const std::string& out_path,
                               const std::string& err_path) {
  child_exit result;
  pid_t pid = spawn_to_files(std::move(argv), out_path, err_path);
  result.started = pid > 0;
  if (!result.started)
    return result;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exited = WIFEXITED(status);
  result.code = result.exited ? WEXITSTATUS(status) : -1;
  return result;
}

} // namespace presence::test
