#include "config/secret_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace presence::api::config {

namespace {

constexpr std::size_t max_secret_file = 4096;

presence::error file_error(const std::string& what, const std::string& path, int err) {
  auto reason = err == ELOOP ? std::string("it is a symbolic link") : std::strerror(err);
  return {errc::storage_failure, "cannot " + what + " " + path + ": " + reason};
}

} // namespace

result<std::string> read_secret_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::string{};
    return file_error("read", path, errno);
  }
  std::string text(max_secret_file + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    auto n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got > max_secret_file)
    return presence::error{errc::storage_failure, path + ": larger than 4 KiB"};
  text.resize(got);
  auto line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  return line;
}

status write_secret_file(const std::string& path, const std::string& secret) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return file_error("write", path, errno);
  auto text = secret + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok)
    return file_error("write", path, saved);
  return {};
}

status prepare_data_dir(const std::string& dir, std::string& warning) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode))
      return presence::error{errc::storage_failure, "data_dir: " + dir + " is not a directory"};
    if ((info.st_mode & 077) != 0)
      warning = "data_dir " + dir + " is accessible by group or others (mode " +
                std::to_string((info.st_mode >> 6) & 7) + std::to_string((info.st_mode >> 3) & 7) +
                std::to_string(info.st_mode & 7) + "); chmod 700 it";
    return {};
  }
  std::error_code ec;
  auto parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  if (ec || (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST))
    return presence::error{errc::storage_failure,
                           "data_dir: cannot create " + dir + ": " +
                             (ec ? ec.message() : std::string(std::strerror(errno)))};
  // mkdir's mode passes through the umask; 0700 is what is meant whatever it is.
  if (::chmod(dir.c_str(), 0700) != 0)
    return presence::error{errc::storage_failure,
                           "data_dir: cannot chmod " + dir + ": " + std::strerror(errno)};
  return {};
}

} // namespace presence::api::config
