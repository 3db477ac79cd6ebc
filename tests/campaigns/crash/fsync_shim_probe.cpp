// fsync_shim_probe DIR: writes, syncs and renames files in DIR in a known pattern, then kills
// itself with SIGKILL. power_loss_test runs it under the shim and checks what drop_unsynced keeps.
// DIR/pre must exist beforehand (it stands for a file made durable by an earlier run).

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

int open_new(const std::string& path) {
  return ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
}

bool put(int fd, const char* text) {
  return ::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  const std::string dir = argv[1];
  int pre = ::open((dir + "/pre").c_str(), O_WRONLY | O_APPEND);
  int kept = open_new(dir + "/kept");          // synced, then more written: cut back
  int unsynced = open_new(dir + "/unsynced");  // entry synced, data never: emptied
  int staged = open_new(dir + "/renamed.tmp"); // synced, renamed, directory synced: kept whole
  if (pre < 0 || kept < 0 || unsynced < 0 || staged < 0)
    return 3;
  bool ok = put(pre, "-appended") && put(kept, "durable") && ::fdatasync(kept) == 0 &&
            put(unsynced, "unsynced-data") && put(staged, "renamed") && ::fsync(staged) == 0 &&
            ::close(staged) == 0 &&
            ::rename((dir + "/renamed.tmp").c_str(), (dir + "/renamed").c_str()) == 0;
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  ok = ok && dir_fd >= 0 && ::fsync(dir_fd) == 0 && put(kept, "-lost");
  int orphan = open_new(dir + "/orphan");  // created after the directory sync: removed
  ok = ok && orphan >= 0 && put(orphan, "no-entry") && ::fsync(orphan) == 0;
  if (!ok)
    return 4;
  std::fputs("ready\n", stdout);
  std::fflush(stdout);
  ::raise(SIGKILL);
  return 5;
}
