#pragma once

// A real full disk for tests: a small tmpfs mounted for the life of an object, and a filler
// that writes until the file system refuses. Mounting needs CAP_SYS_ADMIN; tests that cannot
// mount skip with `mount.error()` (GTEST_SKIP) rather than fail.

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/mount.h>
#include <unistd.h>

namespace presence::test {

/// A tmpfs of `size` (mount's syntax: "2m", "16m") at `path`, created if missing, unmounted
/// (lazily, MNT_DETACH) on destruction.
class tmpfs_mount {
 public:
  explicit tmpfs_mount(std::string path, const std::string& size = "2m")
      : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    auto data = "size=" + size;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, data.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~tmpfs_mount() {
    if (mounted_)
      ::umount2(path_.c_str(), MNT_DETACH);
  }
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;

  bool mounted() const { return mounted_; }
  /// Why the mount failed (strerror), empty when it succeeded.
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

/// Writes `path` until the file system refuses even a single byte (halving the chunk on each
/// refusal, so no free byte is left behind); returns the bytes written (0 when it cannot open).
inline std::size_t fill_until_full(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return 0;
  std::string chunk(1 << 16, 'x');
  std::size_t size = chunk.size();
  std::size_t total = 0;
  while (size > 0) {
    auto n = ::write(fd, chunk.data(), size);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    size /= 2;  // ENOSPC (or a short write): try a smaller piece of what is left
  }
  ::fsync(fd);
  ::close(fd);
  return total;
}

} // namespace presence::test
