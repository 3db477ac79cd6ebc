#include "coalescer.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace presence::actors {

namespace {

constexpr std::size_t presence_values = 5; // online .. disabled

} // namespace

std::vector<presence_batch>
group_by_presence(subscriber_id subscriber,
                  const std::vector<std::pair<std::string, events::presence_value>>& values) {
  std::array<std::vector<std::string>, presence_values> groups;
  for (const auto& [subject, value] : values) {
    auto index = static_cast<std::size_t>(value);
    if (index < presence_values)
      groups[index].push_back(subject);
  }
  std::vector<presence_batch> out;
  for (std::size_t index = 0; index < presence_values; ++index) {
    if (groups[index].empty())
      continue;
    std::sort(groups[index].begin(), groups[index].end());
    out.push_back(presence_batch{subscriber, static_cast<events::presence_value>(index),
                                 std::move(groups[index])});
  }
  return out;
}

void coalescer::record(subscriber_id subscriber, const std::string& subject,
                       events::presence_value value) {
  buffers_[subscriber].pending[subject] = value;
}

void coalescer::mark_sent(subscriber_id subscriber, const std::string& subject,
                          events::presence_value value) {
  auto& buf = buffers_[subscriber];
  buf.sent[subject] = value;
  buf.pending.erase(subject);
}

void coalescer::forget(subscriber_id subscriber, const std::string& subject) {
  auto i = buffers_.find(subscriber);
  if (i == buffers_.end())
    return;
  i->second.pending.erase(subject);
  i->second.sent.erase(subject);
}

void coalescer::remove(subscriber_id subscriber) {
  buffers_.erase(subscriber);
}

void coalescer::drop_pending() {
  for (auto& kv : buffers_)
    kv.second.pending.clear();
}

void coalescer::forget_sent() {
  for (auto& kv : buffers_)
    kv.second.sent.clear();
}

bool coalescer::has_pending() const noexcept {
  return std::any_of(buffers_.begin(), buffers_.end(),
                     [](const auto& kv) { return !kv.second.pending.empty(); });
}

std::size_t coalescer::pending_count() const noexcept {
  std::size_t total = 0;
  for (const auto& kv : buffers_)
    total += kv.second.pending.size();
  return total;
}

std::vector<presence_batch> coalescer::flush() {
  std::vector<presence_batch> out;
  for (auto& [subscriber, buf] : buffers_) {
    std::vector<std::pair<std::string, events::presence_value>> changed;
    for (auto& [subject, value] : buf.pending) {
      auto sent = buf.sent.find(subject);
      if (sent != buf.sent.end() && sent->second == value)
        continue;
      buf.sent[subject] = value;
      changed.emplace_back(subject, value);
    }
    buf.pending.clear();
    auto batches = group_by_presence(subscriber, changed);
    std::move(batches.begin(), batches.end(), std::back_inserter(out));
  }
  return out;
}

} // namespace presence::actors
