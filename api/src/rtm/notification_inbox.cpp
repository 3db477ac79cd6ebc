#include "notification_inbox.hpp"

#include <algorithm>
#include <array>

#include "rtm_protocol.hpp"

namespace presence::api::rtm {

namespace {

constexpr std::size_t presence_values = 5;  // online .. disabled

/// One run of presence changes: each user's latest value, one note per value, users sorted.
void merge_run(std::vector<std::pair<std::string, events::presence_value>>& run,
               std::vector<notification>& out) {
  // Sort by user keeping arrival order among equals: the last of each equal range is the latest.
  std::stable_sort(run.begin(), run.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::array<std::vector<std::string>, presence_values> groups;
  for (std::size_t i = 0; i < run.size(); ++i) {
    if (i + 1 < run.size() && run[i + 1].first == run[i].first)
      continue;  // superseded
    auto index = static_cast<std::size_t>(run[i].second);
    if (index < presence_values)
      groups[index].push_back(std::move(run[i].first));  // stays sorted
  }
  for (std::size_t index = 0; index < presence_values; ++index) {
    if (groups[index].empty())
      continue;
    notification note;
    note.type = notification::kind::presence_change;
    note.presence = static_cast<events::presence_value>(index);
    note.users = std::move(groups[index]);
    out.push_back(std::move(note));
  }
}

} // namespace

bool notification_inbox::add(const notification& note) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (note.type == notification::kind::presence_change) {
    if (entries_.empty() || entries_.back().other)
      entries_.emplace_back();
    auto& run = entries_.back().presences;
    for (const auto& user : note.users)
      run.emplace_back(user, note.presence);
  } else {
    entries_.push_back(entry{note, {}});
  }
  return std::exchange(idle_, false);
}

std::vector<notification> notification_inbox::take_notes() {
  std::vector<entry> taken;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    taken.swap(entries_);
    idle_ = true;
  }
  std::vector<notification> out;
  for (auto& item : taken) {
    if (item.other)
      out.push_back(std::move(*item.other));
    else
      merge_run(item.presences, out);
  }
  return out;
}

notification_inbox::rendered notification_inbox::take(bool batched) {
  rendered out;
  for (const auto& note : take_notes()) {
    if (note.type == notification::kind::presence_change)
      out.deliveries += note.users.size();
    for (auto& frame : render_notification(note, batched))
      out.frames.push_back(std::move(frame));
  }
  return out;
}

} // namespace presence::api::rtm
