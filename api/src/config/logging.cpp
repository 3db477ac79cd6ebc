#include "config/logging.hpp"

#include <ctime>
#include <memory>
#include <mutex>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/details/file_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace presence::api::config {

namespace {

constexpr const char* time_pattern = "%Y-%m-%dT%H:%M:%S.%e%z";

/// Appends to one file; `reopen` opens the same name again (a new file after a rotation moved
/// the old one) and only then closes the old one.
class reopenable_file_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Throws spdlog::spdlog_ex when the file cannot be opened.
  explicit reopenable_file_sink(std::string path) : path_(std::move(path)), file_(open_file()) {}

  /// Throws spdlog::spdlog_ex when the file cannot be opened; the old file stays in use then.
  void reopen() {
    auto fresh = open_file();
    std::lock_guard<std::mutex> guard{mutex_};
    file_ = std::move(fresh);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_->write(formatted);
  }
  void flush_() override { file_->flush(); }

 private:
  std::unique_ptr<spdlog::details::file_helper> open_file() const {
    auto file = std::make_unique<spdlog::details::file_helper>();
    file->open(path_, false);
    return file;
  }

  std::string path_;
  std::unique_ptr<spdlog::details::file_helper> file_;
};

/// One JSON object per line: ts (as in the text log), level, msg.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t ts;
    time_.format(msg, ts);
    nlohmann::ordered_json line{{"ts", std::string(ts.data(), ts.size())},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    // A message that is not valid UTF-8 is written with replacement characters, not dropped.
    auto text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

 private:
  spdlog::pattern_formatter time_{time_pattern, spdlog::pattern_time_type::local, ""};
};

std::mutex file_sink_mutex;
std::shared_ptr<reopenable_file_sink> file_sink; // guarded by file_sink_mutex

} // namespace

status setup_logging(const log_settings& settings) {
  spdlog::sink_ptr sink;
  if (settings.file.empty()) {
    // stdout carries only the `listening on` line; every log line goes to stderr.
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  } else {
    try {
      auto file = std::make_shared<reopenable_file_sink>(settings.file);
      std::lock_guard<std::mutex> guard{file_sink_mutex};
      file_sink = file;
      sink = file;
    } catch (const spdlog::spdlog_ex& e) {
      return {errc::storage_failure, "log_file: " + std::string(e.what())};
    }
  }
  if (settings.json)
    sink->set_formatter(std::make_unique<json_formatter>());
  else
    sink->set_formatter(
      std::make_unique<spdlog::pattern_formatter>(std::string(time_pattern) + " %^%l%$ %v"));
  auto logger = std::make_shared<spdlog::logger>("presenced", sink);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(settings.level));
  spdlog::flush_on(spdlog::level::info);
  return {};
}

status reopen_log_file() {
  std::lock_guard<std::mutex> guard{file_sink_mutex};
  if (!file_sink)
    return {};
  try {
    file_sink->reopen();
  } catch (const spdlog::spdlog_ex& e) {
    return {errc::storage_failure, "log_file: " + std::string(e.what())};
  }
  return {};
}

} // namespace presence::api::config
