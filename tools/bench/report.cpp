// JSON-lines output, timing and process-memory helpers of presence-bench.
#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace presence::bench {

namespace fs = std::filesystem;

void emit(const nlohmann::json& line) {
  std::cout << line.dump() << '\n' << std::flush;
}

int fail(const char* what, const std::string& detail) {
  emit({{"error", what}, {"detail", detail}});
  return 1;
}

int fail(const char* what, const error& err) {
  return fail(what, describe(err));
}

void emit_command_line(int argc, char** argv) {
  std::string joined;
  nlohmann::json args = nlohmann::json::array();
  for (int i = 0; i < argc; ++i) {
    if (i > 0)
      joined += ' ';
    joined += argv[i];
    args.push_back(argv[i]);
  }
  emit({{"command", joined}, {"argv", args}});
}

double per_second(uint64_t count, double seconds) noexcept {
  return seconds > 0 ? std::round(static_cast<double>(count) / seconds) : 0.0;
}

double ratio(double numerator, double denominator) noexcept {
  if (denominator == 0)
    return 0.0;
  return std::round(numerator / denominator * 10000.0) / 10000.0;
}

uint64_t resident_bytes() noexcept {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr)
    return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  int read = std::fscanf(file, "%llu %llu", &size, &resident);
  std::fclose(file);
  if (read != 2)
    return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

double process_cpu_seconds() noexcept {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t now_us() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

scratch_dir::scratch_dir(const std::string& prefix) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec)
    base = "/tmp";
  std::string pattern = (base / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  if (keep_)
    return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

uint64_t directory_bytes(const std::string& path) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec))
      total += it->file_size(ec);
  return total;
}

void evict_from_page_cache(const std::string& path) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    int fd = ::open(it->path().c_str(), O_RDONLY);
    if (fd < 0)
      continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

} // namespace presence::bench
