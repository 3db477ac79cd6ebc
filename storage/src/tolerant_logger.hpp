#pragma once

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/env.h>

namespace presence::storage::detail {

/// RocksDB's info log (the `LOG` file) for the writer, written with stdio and ignoring write
/// errors. RocksDB's own file logger asserts when a line fails after an earlier failure, which a
/// full disk causes; a diagnostic log must never take the server down. Thread-safe.
class tolerant_logger final : public rocksdb::Logger {
 public:
  /// Opens `db_path`/LOG for appending (moved to LOG.old first once over 16 MiB). Returns null
  /// when the file cannot be opened (the caller falls back to RocksDB's logger).
  static std::shared_ptr<tolerant_logger> open(const std::string& db_path);

  ~tolerant_logger() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Flush() override;

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  explicit tolerant_logger(std::FILE* file) : file_(file) {}

  std::mutex mutex_;
  std::FILE* file_; ///< owned; null once closed
};

} // namespace presence::storage::detail
