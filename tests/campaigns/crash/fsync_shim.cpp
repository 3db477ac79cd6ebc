// fsync_shim: an LD_PRELOAD library that records what a process made durable, so that a power
// loss can be emulated after `kill -9` (the LazyFS idea, without FUSE).
//
// Active only when PRESENCE_SHIM_LOG (the side log) and PRESENCE_SHIM_DIR (the directory to watch)
// are set. For every file under PRESENCE_SHIM_DIR it appends one line per durability-relevant
// call to the side log, with a single write(2) on an O_APPEND descriptor (so a line is either
// whole or absent, and lines survive the process being killed):
//
//   open <existed 0|1> <size before> <O_TRUNC 0|1> <path>   opened for writing
//   sync <size> <path>                                       fsync/fdatasync of a file
//   dirsync <path>                                           fsync of a directory
//   rename <size> <from> <to>                                rename (size of `from` before it)
//   unlink <path>                                            unlink / unlinkat / rmdir
//
// Fields are separated by tabs. `sync` records the size measured *before* the real fsync: bytes
// written before that point are certainly covered by the sync, later ones may not be. The side
// log line is written after the real call returned, so it precedes anything the process does next
// (the journal acknowledges a write only after its sync returned). power_loss.cpp replays the log.

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

struct shim_state {
  int log_fd = -1;
  std::string dir;  ///< watched directory, without a trailing slash
  std::mutex mutex;
  std::unordered_map<int, std::string> paths;  ///< descriptor -> absolute path (watched only)
};

template <class F>
F next_symbol(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

using openat_fn = int (*)(int, const char*, int, ...);
using fsync_fn = int (*)(int);
using close_fn = int (*)(int);
using renameat2_fn = int (*)(int, const char*, int, const char*, unsigned);
using unlinkat_fn = int (*)(int, const char*, int);

openat_fn real_openat() {
  static auto fn = next_symbol<openat_fn>("openat");
  return fn;
}

shim_state* make_state() {
  const char* log = std::getenv("PRESENCE_SHIM_LOG");
  const char* dir = std::getenv("PRESENCE_SHIM_DIR");
  if (log == nullptr || dir == nullptr || *log == 0 || *dir == 0)
    return nullptr;
  auto* st = new shim_state;  // lives until exit: calls may come during static destruction
  st->dir = dir;
  while (st->dir.size() > 1 && st->dir.back() == '/')
    st->dir.pop_back();
  st->log_fd = real_openat()(AT_FDCWD, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return st;
}

shim_state* state() {
  static shim_state* st = make_state();
  return st != nullptr && st->log_fd >= 0 ? st : nullptr;
}

void append_line(shim_state& st, const std::string& line) {
  auto ignored = ::write(st.log_fd, line.data(), line.size());
  (void)ignored;
}

std::string path_of_fd(shim_state& st, int fd) {
  std::lock_guard<std::mutex> guard{st.mutex};
  auto it = st.paths.find(fd);
  return it == st.paths.end() ? std::string{} : it->second;
}

/// The absolute path `path` names relative to `dirfd`; "" when it cannot be told (a relative path
/// against a descriptor the shim does not know).
std::string absolute(shim_state& st, int dirfd, const char* path) {
  if (path == nullptr)
    return {};
  if (path[0] == '/')
    return path;
  std::string base;
  if (dirfd == AT_FDCWD) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr)
      return {};
    base = cwd;
  } else {
    base = path_of_fd(st, dirfd);
    if (base.empty())
      return {};
  }
  std::string rel = path;
  while (rel.rfind("./", 0) == 0)
    rel.erase(0, 2);
  return rel.empty() || rel == "." ? base : base + "/" + rel;
}

bool watched(const shim_state& st, const std::string& path) {
  return !path.empty() && path.compare(0, st.dir.size(), st.dir) == 0 &&
         (path.size() == st.dir.size() || path[st.dir.size()] == '/');
}

int tracked_open(int dirfd, const char* path, int flags, mode_t mode) {
  shim_state* st = state();
  if (st == nullptr)
    return real_openat()(dirfd, path, flags, mode);
  std::string full = absolute(*st, dirfd, path);
  if (!watched(*st, full))
    return real_openat()(dirfd, path, flags, mode);
  const bool writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
  struct stat before {};
  const bool existed = writing && ::stat(full.c_str(), &before) == 0;
  int fd = real_openat()(dirfd, path, flags, mode);
  if (fd < 0)
    return fd;
  int saved = errno;
  {
    std::lock_guard<std::mutex> guard{st->mutex};
    st->paths[fd] = full;
  }
  if (writing)
    append_line(*st, "open\t" + std::to_string(existed ? 1 : 0) + "\t" +
                       std::to_string(existed ? before.st_size : 0) + "\t" +
                       std::to_string((flags & O_TRUNC) != 0 ? 1 : 0) + "\t" + full + "\n");
  errno = saved;
  return fd;
}

mode_t mode_arg(int flags, va_list args) {
  if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE)
    return static_cast<mode_t>(va_arg(args, int));
  return 0;
}

int tracked_sync(int fd, const char* name) {
  static auto real = next_symbol<fsync_fn>("fsync");
  static auto real_data = next_symbol<fsync_fn>("fdatasync");
  auto call = std::strcmp(name, "fsync") == 0 ? real : real_data;
  shim_state* st = state();
  std::string path = st == nullptr ? std::string{} : path_of_fd(*st, fd);
  if (path.empty())
    return call(fd);
  struct stat before {};
  const bool known = ::fstat(fd, &before) == 0;
  int rc = call(fd);
  if (rc == 0 && known) {
    int saved = errno;
    if (S_ISDIR(before.st_mode))
      append_line(*st, "dirsync\t" + path + "\n");
    else
      append_line(*st, "sync\t" + std::to_string(before.st_size) + "\t" + path + "\n");
    errno = saved;
  }
  return rc;
}

int tracked_rename(int olddirfd, const char* from, int newdirfd, const char* to, unsigned flags) {
  static auto real = next_symbol<renameat2_fn>("renameat2");
  shim_state* st = state();
  if (st == nullptr)
    return real(olddirfd, from, newdirfd, to, flags);
  std::string full_from = absolute(*st, olddirfd, from);
  std::string full_to = absolute(*st, newdirfd, to);
  if (!watched(*st, full_from) && !watched(*st, full_to))
    return real(olddirfd, from, newdirfd, to, flags);
  struct stat before {};
  const bool known = ::stat(full_from.c_str(), &before) == 0;
  int rc = real(olddirfd, from, newdirfd, to, flags);
  if (rc == 0) {
    int saved = errno;
    append_line(*st, "rename\t" + std::to_string(known ? before.st_size : 0) + "\t" + full_from +
                       "\t" + full_to + "\n");
    errno = saved;
  }
  return rc;
}

int tracked_unlink(int dirfd, const char* path, int flags) {
  static auto real = next_symbol<unlinkat_fn>("unlinkat");
  shim_state* st = state();
  if (st == nullptr)
    return real(dirfd, path, flags);
  std::string full = absolute(*st, dirfd, path);
  int rc = real(dirfd, path, flags);
  if (rc == 0 && watched(*st, full)) {
    int saved = errno;
    append_line(*st, "unlink\t" + full + "\n");
    errno = saved;
  }
  return rc;
}

} // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = mode_arg(flags, args);
  va_end(args);
  return tracked_open(AT_FDCWD, path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = mode_arg(flags, args);
  va_end(args);
  return tracked_open(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = mode_arg(flags, args);
  va_end(args);
  return tracked_open(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = mode_arg(flags, args);
  va_end(args);
  return tracked_open(dirfd, path, flags, mode);
}

// The _FORTIFY_SOURCE entry points (no mode argument).
int __open_2(const char* path, int flags) { return tracked_open(AT_FDCWD, path, flags, 0); }
int __open64_2(const char* path, int flags) { return tracked_open(AT_FDCWD, path, flags, 0); }
int __openat_2(int dirfd, const char* path, int flags) { return tracked_open(dirfd, path, flags, 0); }
int __openat64_2(int dirfd, const char* path, int flags) {
  return tracked_open(dirfd, path, flags, 0);
}

int creat(const char* path, mode_t mode) {
  return tracked_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
int creat64(const char* path, mode_t mode) {
  return tracked_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int fsync(int fd) { return tracked_sync(fd, "fsync"); }
int fdatasync(int fd) { return tracked_sync(fd, "fdatasync"); }

int close(int fd) {
  static auto real = next_symbol<close_fn>("close");
  if (shim_state* st = state(); st != nullptr) {
    std::lock_guard<std::mutex> guard{st->mutex};
    st->paths.erase(fd);
  }
  return real(fd);
}

// glibc declares these __THROW (noexcept in C++); the definitions must agree.
int rename(const char* from, const char* to) noexcept {
  return tracked_rename(AT_FDCWD, from, AT_FDCWD, to, 0);
}
int renameat(int olddirfd, const char* from, int newdirfd, const char* to) noexcept {
  return tracked_rename(olddirfd, from, newdirfd, to, 0);
}
int renameat2(int olddirfd, const char* from, int newdirfd, const char* to, unsigned flags) noexcept {
  return tracked_rename(olddirfd, from, newdirfd, to, flags);
}

int unlink(const char* path) noexcept { return tracked_unlink(AT_FDCWD, path, 0); }
int unlinkat(int dirfd, const char* path, int flags) noexcept { return tracked_unlink(dirfd, path, flags); }
int rmdir(const char* path) noexcept { return tracked_unlink(AT_FDCWD, path, AT_REMOVEDIR); }

} // extern "C"
