#include "session_registry.hpp"

#include <optional>
#include <string>

#include "engine_offload.hpp"
#include "session.hpp"

namespace presence::api::rtm {

session_registry& session_registry::instance() {
  static session_registry registry;
  return registry;
}

uint64_t session_registry::add(std::weak_ptr<session> entry) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto id = next_id_++;
  sessions_.emplace(id, std::move(entry));
  return id;
}

void session_registry::remove(uint64_t id) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (sessions_.erase(id) > 0 && sessions_.empty())
    empty_.notify_all();
}

bool session_registry::reserve(const std::string& user, std::size_t cap) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& count = per_user_[user];
  if (cap > 0 && count >= cap) {
    if (count == 0)
      per_user_.erase(user);
    return false;
  }
  ++count;
  return true;
}

void session_registry::release(const std::string& user) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = per_user_.find(user);
  if (it != per_user_.end() && --it->second == 0)
    per_user_.erase(it);
}

std::size_t session_registry::count(const std::string& user) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = per_user_.find(user);
  return it == per_user_.end() ? 0 : it->second;
}

bool reserve_user_session(const std::string& user, std::size_t cap) {
  return session_registry::instance().reserve(user, cap);
}

void release_user_session(const std::string& user) {
  session_registry::instance().release(user);
}

std::size_t user_sessions(const std::string& user) {
  return session_registry::instance().count(user);
}

std::vector<std::shared_ptr<session>> session_registry::live() const {
  std::vector<std::shared_ptr<session>> result;
  std::lock_guard<std::mutex> guard{mutex_};
  result.reserve(sessions_.size());
  for (const auto& [id, entry] : sessions_)
    if (auto alive = entry.lock())
      result.push_back(std::move(alive));
  return result;
}

std::size_t session_registry::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sessions_.size();
}

bool session_registry::wait_empty(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  return empty_.wait_for(lock, timeout, [this] { return sessions_.empty(); });
}

void close_all_sessions() {
  for (auto& live : session_registry::instance().live())
    live->shut_down(events::disconnect_reason::server_restart);
}

std::size_t close_revoked_sessions(const credential_check& check, const std::string& user) {
  // One check per distinct token: a thousand sockets of one token cost one engine call.
  std::unordered_map<std::string, std::vector<std::shared_ptr<session>>> by_token;
  for (auto& live : session_registry::instance().live()) {
    auto who = live->who();
    // A session not logged in yet (DDP) stands for nobody: nothing to re-check.
    if (!who.token_id.empty() && (user.empty() || who.user == user))
      by_token[who.token_id].push_back(std::move(live));
  }
  std::size_t closed = 0;
  for (auto& [token_id, sessions] : by_token) {
    auto who = check(token_id);
    std::optional<events::disconnect_reason> reason;
    if (!who.ok() && who.error().code == errc::token_revoked)
      reason = events::disconnect_reason::token_revoked;
    else if (!who.ok() && who.error().code == errc::user_deactivated)
      reason = events::disconnect_reason::account_inactive;
    else if (who.ok() && !who->user.active)
      reason = events::disconnect_reason::account_inactive;
    if (!reason)
      continue;
    for (auto& entry : sessions)
      entry->shut_down(*reason);
    closed += sessions.size();
  }
  return closed;
}

bool wait_sessions_finished(std::chrono::milliseconds timeout) {
  bool finished = session_registry::instance().wait_empty(timeout);
  // The offload threads must be gone before the engine is destroyed (engine_offload.hpp).
  retire_offload_pool(!finished);
  return finished;
}

} // namespace presence::api::rtm
