#include "tolerant_logger.hpp"

#include <ctime>
#include <filesystem>
#include <sys/time.h>
#include <system_error>

namespace presence::storage::detail {

std::shared_ptr<tolerant_logger> tolerant_logger::open(const std::string& db_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(db_path, ec);
  const fs::path log_path = fs::path{db_path} / "LOG";
  // Append rather than truncate: a second writer that is about to be refused (database_busy)
  // must not wipe the live writer's log. Rotate once the file has grown large.
  constexpr std::uintmax_t rotate_bytes = 16u << 20;
  auto size = fs::file_size(log_path, ec);
  if (!ec && size > rotate_bytes)
    fs::rename(log_path, fs::path{db_path} / "LOG.old", ec);
  std::FILE* file = std::fopen(log_path.c_str(), "a");
  if (file == nullptr)
    return nullptr;
  return std::shared_ptr<tolerant_logger>{new tolerant_logger(file)};
}

tolerant_logger::~tolerant_logger() {
  if (!closed_)
    Close().PermitUncheckedError();
}

void tolerant_logger::Logv(const char* format, va_list ap) {
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm parts{};
  ::gmtime_r(&now.tv_sec, &parts);
  std::lock_guard<std::mutex> guard{mutex_};
  if (file_ == nullptr)
    return;
  // Every write may fail on a full disk; a lost log line is acceptable, a crash is not.
  std::fprintf(file_, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", parts.tm_year + 1900,
               parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
               static_cast<long>(now.tv_usec));
  std::vfprintf(file_, format, ap);
  std::fputc('\n', file_);
  std::fflush(file_);
}

void tolerant_logger::Flush() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (file_ != nullptr)
    std::fflush(file_);
}

rocksdb::Status tolerant_logger::CloseImpl() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
  return rocksdb::Status::OK();
}

} // namespace presence::storage::detail
