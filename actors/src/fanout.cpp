#include "fanout.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

namespace presence::actors {

namespace {

constexpr std::size_t presence_values = 5;  // online .. disabled

/// A free slot of `items` (reused from `free`, else appended), holding a default-made item.
template <class T>
uint32_t take_slot(std::vector<T>& items, std::vector<uint32_t>& free) {
  if (free.empty()) {
    items.emplace_back();
    return static_cast<uint32_t>(items.size() - 1);
  }
  const uint32_t index = free.back();
  free.pop_back();
  items[index] = T{};
  return index;
}

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

fanout::fanout(uint32_t phases) noexcept
    : phases_(std::clamp<uint32_t>(phases, 1, max_phases)),
      all_phases_(phases_ == 64 ? ~uint64_t{0} : (uint64_t{1} << phases_) - 1) {}

bool fanout::add(subscriber_id id, std::string owner) {
  if (contains(id))
    return false;
  const slot index = take_slot(subscribers_, free_subscribers_);
  if (!owner.empty())
    by_owner_[owner].insert(id);
  subscribers_[index] = subscriber_entry{id, std::move(owner), {}, {}};
  subscriber_slots_.emplace(id, index);
  return true;
}

void fanout::remove(subscriber_id id) {
  auto index = subscriber_slot(id);
  if (!index)
    return;
  auto& entry = subscribers_[*index];
  for (slot subject : entry.subjects)
    unlink(*index, subject);
  if (auto o = by_owner_.find(entry.owner); o != by_owner_.end()) {
    o->second.erase(id);
    if (o->second.empty())
      by_owner_.erase(o);
  }
  entry = subscriber_entry{};  // releases its vectors
  subscriber_slots_.erase(id);
  free_subscribers_.push_back(*index);
}

fanout::change fanout::replace(subscriber_id id, const std::vector<std::string>& subjects) {
  const slot who = subscriber_slots_.at(id);
  std::vector<std::string> next{subjects};
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());
  std::vector<std::pair<std::string_view, std::size_t>> current;  // name, position
  {
    const auto& entry = subscribers_[who];
    current.reserve(entry.subjects.size());
    for (std::size_t i = 0; i < entry.subjects.size(); ++i)
      current.emplace_back(*subjects_[entry.subjects[i]].name, i);
    std::sort(current.begin(), current.end());
  }
  change result;
  std::vector<std::pair<slot, uint8_t>> kept;  // subject, what was told
  kept.reserve(next.size());
  auto have = current.begin();
  for (const auto& name : next) {
    while (have != current.end() && have->first < name) {
      result.removed.emplace_back(have->first);
      ++have;
    }
    if (have != current.end() && have->first == name) {
      const auto& entry = subscribers_[who];
      kept.emplace_back(entry.subjects[have->second], entry.told[have->second]);
      ++have;
    } else {
      result.added.push_back(name);
    }
  }
  for (; have != current.end(); ++have)
    result.removed.emplace_back(have->first);
  for (const auto& name : result.removed)  // names stay valid until the subject is unlinked
    unlink(who, subject_slots_.at(name));
  for (const auto& name : result.added) {
    slot subject = intern(name);
    auto& list = subjects_[subject].subscribers;
    const uint32_t phase = phase_of(subscribers_[who].id);
    list.insert(std::partition_point(list.begin(), list.end(),
                                     [&](slot s) { return phase_of(subscribers_[s].id) <= phase; }),
                who);
    kept.emplace_back(subject, untold);
  }
  std::sort(kept.begin(), kept.end());
  auto& entry = subscribers_[who];
  entry.subjects.clear();
  entry.told.clear();
  entry.subjects.reserve(kept.size());
  entry.told.reserve(kept.size());
  for (const auto& [subject, told] : kept) {
    entry.subjects.push_back(subject);
    entry.told.push_back(told);
  }
  entry.subjects.shrink_to_fit();
  entry.told.shrink_to_fit();
  return result;
}

bool fanout::refresh(const std::string& subject, events::presence_value value, bool queue) {
  auto found = subject_slots_.find(subject);
  if (found == subject_slots_.end() || value == events::presence_value::disabled)
    return false;
  auto& entry = subjects_[found->second];
  if (!entry.has_known) {
    entry.has_known = true;
    entry.known_value = value;
    return false;
  }
  if (entry.known_value == value)
    return false;
  return publish(subject, value, queue) && queue;
}

std::optional<events::presence_value> fanout::catch_up(subscriber_id id,
                                                       const std::string& subject) {
  auto who = subscriber_slot(id);
  auto found = subject_slots_.find(subject);
  if (!who || found == subject_slots_.end() || !subjects_[found->second].has_known)
    return std::nullopt;
  auto& entry = subscribers_[*who];
  auto at = std::lower_bound(entry.subjects.begin(), entry.subjects.end(), found->second);
  if (at == entry.subjects.end() || *at != found->second)
    return std::nullopt;
  auto value = subjects_[found->second].known_value;
  auto& told = entry.told[static_cast<std::size_t>(at - entry.subjects.begin())];
  if (told == static_cast<uint8_t>(value))
    return std::nullopt;
  told = static_cast<uint8_t>(value);
  return value;
}

bool fanout::publish(const std::string& subject, events::presence_value value, bool queue) {
  auto found = subject_slots_.find(subject);
  if (found == subject_slots_.end())
    return false;
  auto& entry = subjects_[found->second];
  if (value != events::presence_value::disabled) {
    entry.has_known = true;
    entry.known_value = value;
  }
  if (!queue)
    return true;
  entry.pending_value = value;
  if (entry.pending == 0)
    list_pending(found->second);
  entry.pending = all_phases_;
  return true;
}

std::optional<events::presence_value> fanout::known(const std::string& subject) const {
  const auto* entry = find_subject(subject);
  if (entry == nullptr || !entry->has_known)
    return std::nullopt;
  return entry->known_value;
}

bool fanout::has_subscribers(const std::string& subject) const {
  return find_subject(subject) != nullptr;
}

std::vector<subscriber_id> fanout::subscribers_of(const std::string& subject) const {
  std::vector<subscriber_id> out;
  if (const auto* entry = find_subject(subject)) {
    out.reserve(entry->subscribers.size());
    for (slot who : entry->subscribers)
      out.push_back(subscribers_[who].id);
    std::sort(out.begin(), out.end());
  }
  return out;
}

std::vector<subscriber_id> fanout::owned_by(std::string_view owner) const {
  if (owner.empty())
    return {};
  auto found = by_owner_.find(owner);
  if (found == by_owner_.end())
    return {};
  return {found->second.begin(), found->second.end()};
}

std::vector<subscriber_id> fanout::all() const {
  std::vector<subscriber_id> out;
  out.reserve(subscriber_slots_.size());
  for (const auto& kv : subscriber_slots_)
    out.push_back(kv.first);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> fanout::subjects_of(subscriber_id id) const {
  std::vector<std::string> out;
  if (auto who = subscriber_slot(id)) {
    for (slot subject : subscribers_[*who].subjects)
      out.push_back(*subjects_[subject].name);
    std::sort(out.begin(), out.end());
  }
  return out;
}

void fanout::drop_pending() {
  for (slot subject : pending_subjects_)
    subjects_[subject].pending = 0;
  pending_subjects_.clear();
}

bool fanout::resend_known() {
  drop_pending();
  for (auto& entry : subscribers_)
    std::fill(entry.told.begin(), entry.told.end(), untold);
  for (const auto& kv : subject_slots_) {
    auto& entry = subjects_[kv.second];
    if (!entry.has_known)
      continue;
    list_pending(kv.second);
    entry.pending = all_phases_;
    entry.pending_value = entry.known_value;
  }
  return has_pending();
}

std::vector<presence_batch> fanout::flush() { return flush_phases(all_phases_); }

std::vector<presence_batch> fanout::flush(uint32_t phase) {
  return phase < phases_ ? flush_phases(uint64_t{1} << phase) : std::vector<presence_batch>{};
}

std::vector<presence_batch> fanout::flush_phases(uint64_t mask) {
  mask &= all_phases_;
  // What to tell whom, as integers (subscriber id, value, subject slot): sorted, they fall into
  // one group per subscriber and value; names are copied once, into the batches.
  struct tell {
    subscriber_id id;
    uint8_t value;
    slot subject;
    bool operator<(const tell& o) const noexcept {
      return id != o.id ? id < o.id : value < o.value;
    }
  };
  std::vector<tell> tells;
  std::size_t kept = 0;
  for (slot subject : pending_subjects_) {
    auto& entry = subjects_[subject];
    const uint64_t due = entry.pending & mask;
    entry.pending &= ~mask;
    if (entry.pending != 0) {
      entry.pending_at = static_cast<uint32_t>(kept);
      pending_subjects_[kept++] = subject;
    }
    if (due == 0)
      continue;
    const auto value = static_cast<uint8_t>(entry.pending_value);
    // Subscribers are ordered by phase: start at the lowest due phase, stop after the highest.
    const auto lowest = static_cast<uint32_t>(__builtin_ctzll(due));
    const auto highest = static_cast<uint32_t>(63 - __builtin_clzll(due));
    auto who = std::partition_point(entry.subscribers.begin(), entry.subscribers.end(),
                                    [&](slot s) { return phase_of(subscribers_[s].id) < lowest; });
    for (; who != entry.subscribers.end(); ++who) {
      auto& sub = subscribers_[*who];
      const uint32_t phase = phase_of(sub.id);
      if (phase > highest)
        break;
      if (((due >> phase) & 1u) == 0)
        continue;
      auto at = std::lower_bound(sub.subjects.begin(), sub.subjects.end(), subject);
      auto& told = sub.told[static_cast<std::size_t>(at - sub.subjects.begin())];
      if (told == value)
        continue;
      told = value;
      tells.push_back(tell{sub.id, value, subject});
    }
  }
  pending_subjects_.resize(kept);
  std::sort(tells.begin(), tells.end());
  std::vector<presence_batch> out;
  for (std::size_t begin = 0; begin < tells.size();) {
    std::size_t end = begin + 1;
    while (end < tells.size() && !(tells[begin] < tells[end]))
      ++end;
    presence_batch batch{tells[begin].id, static_cast<events::presence_value>(tells[begin].value),
                         {}};
    batch.users.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i)
      batch.users.push_back(*subjects_[tells[i].subject].name);
    std::sort(batch.users.begin(), batch.users.end());
    out.push_back(std::move(batch));
    begin = end;
  }
  return out;
}

const fanout::subject_entry* fanout::find_subject(const std::string& name) const {
  auto found = subject_slots_.find(name);
  return found == subject_slots_.end() ? nullptr : &subjects_[found->second];
}

fanout::slot fanout::intern(const std::string& name) {
  auto found = subject_slots_.find(name);
  if (found != subject_slots_.end())
    return found->second;
  const slot index = take_slot(subjects_, free_subjects_);
  subjects_[index].name = &subject_slots_.emplace(name, index).first->first;
  return index;
}

void fanout::unlink(slot subscriber, slot subject) {
  auto& entry = subjects_[subject];
  auto at = std::find(entry.subscribers.begin(), entry.subscribers.end(), subscriber);
  if (at != entry.subscribers.end())
    entry.subscribers.erase(at);  // keeps the phase order
  if (!entry.subscribers.empty())
    return;
  // The last subscriber left: forget the subject (a pending change of it is dropped).
  if (entry.pending != 0) {  // O(1): the last listed subject takes its place
    const slot last = pending_subjects_.back();
    pending_subjects_[entry.pending_at] = last;
    subjects_[last].pending_at = entry.pending_at;
    pending_subjects_.pop_back();
  }
  subject_slots_.erase(*entry.name);
  entry = subject_entry{};
  free_subjects_.push_back(subject);
}

void fanout::list_pending(slot subject) {
  subjects_[subject].pending_at = static_cast<uint32_t>(pending_subjects_.size());
  pending_subjects_.push_back(subject);
}

std::optional<fanout::slot> fanout::subscriber_slot(subscriber_id id) const {
  auto found = subscriber_slots_.find(id);
  if (found == subscriber_slots_.end())
    return std::nullopt;
  return found->second;
}

} // namespace presence::actors
