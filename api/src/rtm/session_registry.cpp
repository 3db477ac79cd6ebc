#include "session_registry.hpp"

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

bool wait_sessions_finished(std::chrono::milliseconds timeout) {
  bool finished = session_registry::instance().wait_empty(timeout);
  // The offload threads must be gone before the engine is destroyed (engine_offload.hpp).
  retire_offload_pool(!finished);
  return finished;
}

} // namespace presence::api::rtm
