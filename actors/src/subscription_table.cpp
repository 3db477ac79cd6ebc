#include "subscription_table.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace presence::actors {

namespace {

template <class Map>
std::vector<subscriber_id> ids_at(const Map& index, std::string_view key) {
  auto i = index.find(key);
  if (i == index.end())
    return {};
  return {i->second.begin(), i->second.end()};
}

} // namespace

bool subscription_table::add(subscriber_id id, std::string owner) {
  if (contains(id))
    return false;
  if (!owner.empty())
    by_owner_[owner].insert(id);
  entries_.emplace(id, entry{std::move(owner), {}});
  return true;
}

std::vector<std::string> subscription_table::remove(subscriber_id id) {
  auto i = entries_.find(id);
  if (i == entries_.end())
    return {};
  std::vector<std::string> subjects{i->second.subjects.begin(), i->second.subjects.end()};
  for (const auto& subject : subjects)
    unlink(id, subject);
  if (auto o = by_owner_.find(i->second.owner); o != by_owner_.end()) {
    o->second.erase(id);
    if (o->second.empty())
      by_owner_.erase(o);
  }
  entries_.erase(i);
  return subjects;
}

subscription_table::change subscription_table::replace(subscriber_id id,
                                                       const std::vector<std::string>& subjects) {
  auto& current = entries_.at(id).subjects;
  std::set<std::string, std::less<>> next{subjects.begin(), subjects.end()};
  change result;
  std::set_difference(next.begin(), next.end(), current.begin(), current.end(),
                      std::back_inserter(result.added));
  std::set_difference(current.begin(), current.end(), next.begin(), next.end(),
                      std::back_inserter(result.removed));
  for (const auto& subject : result.removed)
    unlink(id, subject);
  for (const auto& subject : result.added)
    by_subject_[subject].insert(id);
  current = std::move(next);
  return result;
}

std::vector<subscriber_id> subscription_table::subscribers_of(std::string_view subject) const {
  return ids_at(by_subject_, subject);
}

bool subscription_table::has_subscribers(std::string_view subject) const {
  return by_subject_.find(subject) != by_subject_.end();
}

std::vector<subscriber_id> subscription_table::owned_by(std::string_view owner) const {
  if (owner.empty())
    return {};
  return ids_at(by_owner_, owner);
}

std::vector<subscriber_id> subscription_table::all() const {
  std::vector<subscriber_id> out;
  out.reserve(entries_.size());
  for (const auto& kv : entries_)
    out.push_back(kv.first);
  return out;
}

std::vector<std::string> subscription_table::subjects_of(subscriber_id id) const {
  auto i = entries_.find(id);
  if (i == entries_.end())
    return {};
  return {i->second.subjects.begin(), i->second.subjects.end()};
}

void subscription_table::unlink(subscriber_id id, const std::string& subject) {
  auto i = by_subject_.find(subject);
  if (i == by_subject_.end())
    return;
  i->second.erase(id);
  if (i->second.empty())
    by_subject_.erase(i);
}

} // namespace presence::actors
