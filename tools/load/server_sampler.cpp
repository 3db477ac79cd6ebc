// /proc figures of another process and presence-load's periodic sample lines.
#include "server_sampler.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <boost/asio/steady_timer.hpp>

#include "load_util.hpp"

namespace presence::load {

namespace {

/// The number after `key` in a /proc/PID/status line such as "VmRSS:   123456 kB".
bool status_value(const std::string& line, const char* key, uint64_t& out) {
  const std::string prefix{key};
  if (line.rfind(prefix, 0) != 0)
    return false;
  out = std::stoull(line.substr(prefix.size()));
  return true;
}

} // namespace

process_stats read_process_stats(int pid) {
  process_stats stats;
  if (pid <= 0)
    return stats;
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream status{base + "/status"};
  for (std::string line; std::getline(status, line);) {
    uint64_t kilobytes = 0;
    if (status_value(line, "VmRSS:", kilobytes))
      stats.rss_bytes = kilobytes * 1024;
    status_value(line, "Threads:", stats.threads);
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it{base + "/fd", ec}, end; !ec && it != end;
       it.increment(ec)) {
    ++stats.fds;
    std::error_code link_ec;
    auto target = std::filesystem::read_symlink(it->path(), link_ec);
    if (!link_ec && target.native().rfind("socket:", 0) == 0)
      ++stats.sockets;
  }
  return stats;
}

uint64_t process_rss_bytes(int pid) {
  return read_process_stats(pid).rss_bytes;
}

struct server_sampler::impl {
  impl(boost::asio::io_context& io, int pid, double period_s,
       std::function<nlohmann::json()> counters)
    : timer(io), pid(pid), period_s(period_s), counters(std::move(counters)),
      start(std::chrono::steady_clock::now()) {}

  boost::asio::steady_timer timer;
  int pid;
  double period_s;
  std::function<nlohmann::json()> counters;
  std::chrono::steady_clock::time_point start, next;
  bool running = false;
};

server_sampler::server_sampler(boost::asio::io_context& io, int pid, double period_s,
                               std::function<nlohmann::json()> counters)
  : impl_(std::make_unique<impl>(io, pid, period_s, std::move(counters))) {}

server_sampler::~server_sampler() = default;

void server_sampler::start() {
  if (impl_->period_s <= 0 || impl_->running)
    return;
  impl_->running = true;
  impl_->next = std::chrono::steady_clock::now();
  sample();
  schedule();
}

void server_sampler::stop() {
  if (!impl_->running)
    return;
  impl_->running = false;
  impl_->timer.cancel();
  sample();
}

void server_sampler::schedule() {
  // Fixed-rate: the next sample is due one period after the previous one was due, so a slow
  // /proc read does not make the samples drift.
  impl_->next += std::chrono::microseconds(static_cast<int64_t>(impl_->period_s * 1e6));
  impl_->timer.expires_at(impl_->next);
  impl_->timer.async_wait([this](boost::system::error_code ec) {
    if (ec || !impl_->running)
      return;
    sample();
    schedule();
  });
}

void server_sampler::sample() {
  const auto stats = read_process_stats(impl_->pid);
  const double t_s =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->start).count();
  nlohmann::json line = {{"bench", "load"},
                         {"phase", "sample"},
                         {"t_s", std::round(t_s * 1000) / 1000},
                         {"server_rss_bytes", stats.rss_bytes},
                         {"server_fds", stats.fds},
                         {"server_sockets", stats.sockets},
                         {"server_threads", stats.threads}};
  if (impl_->counters)
    line.update(impl_->counters());
  emit(line);
}

} // namespace presence::load
