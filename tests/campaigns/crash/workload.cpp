#include "workload.hpp"

#include <algorithm>
#include <ctime>

#include "report_line.hpp"

namespace presence::crash {

void campaign_book::add_created(known_user user) {
  std::lock_guard<std::mutex> guard{mutex_};
  created_.push_back(std::move(user));
}

std::vector<known_user> campaign_book::created() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return created_;
}

std::vector<known_user> campaign_book::sample(std::size_t created_count, std::mt19937& rng) const {
  auto users = workers;
  auto made = created();
  std::shuffle(made.begin(), made.end(), rng);
  made.resize(std::min(made.size(), created_count));
  users.insert(users.end(), made.begin(), made.end());
  return users;
}

void campaign_book::add_token(std::string id) {
  std::lock_guard<std::mutex> guard{mutex_};
  tokens_.push_back(std::move(id));
}

std::string campaign_book::take_token(uint32_t dice) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (tokens_.empty())
    return {};
  auto index = dice % tokens_.size();
  auto id = tokens_[index];
  tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(index));
  return id;
}

void campaign_book::add_preset(std::string id) {
  std::lock_guard<std::mutex> guard{mutex_};
  presets_.push_back(std::move(id));
}

std::string campaign_book::pick_preset(uint32_t dice, bool take) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (presets_.empty())
    return {};
  auto index = dice % presets_.size();
  auto id = presets_[index];
  if (take)
    presets_.erase(presets_.begin() + static_cast<std::ptrdiff_t>(index));
  return id;
}

void workload_stats::fault(std::string what) {
  std::lock_guard<std::mutex> guard{mutex};
  if (faults.size() < 50)
    faults.push_back(std::move(what));
}

void workload_stats::report(nlohmann::json& line) {
  line["operations"] = operations.load();
  line["acked"] = acked.load();
  line["in_flight"] = in_flight.load();
  line["refused"] = refused.load();
  if (stale_refused.load() != 0)
    line["stale_refused"] = stale_refused.load();
  std::lock_guard<std::mutex> guard{mutex};
  for (const auto& what : faults)
    add_fault(line, what);
}

void workload::start(const run_target& target, int clients, int pace_ms, uint32_t seed) {
  target_ = target;
  pace_ms_ = pace_ms;
  stopping_ = false;
  const auto count = std::min<std::size_t>(static_cast<std::size_t>(clients), book_.workers.size());
  for (std::size_t i = 0; i < count; ++i)
    threads_.emplace_back([this, i, seed] {
      worker_main(book_.workers[i], seed * 7919u + static_cast<uint32_t>(i));
    });
  threads_.emplace_back([this, seed] { admin_main(seed * 104729u + 17u); });
}

void workload::stop() {
  stopping_ = true;
  for (auto& thread : threads_)
    if (thread.joinable())
      thread.join();
  threads_.clear();
}

std::string export_time(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return text;
}

} // namespace presence::crash
