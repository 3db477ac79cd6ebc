#include "request_gateway.hpp"

#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include "errors.hpp"

namespace presence::actors {

namespace {

caf::actor_companion* companion_of(const caf::strong_actor_ptr& ptr) {
  return static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(ptr));
}

caf::error closed_error() {
  return make_caf_error(errc::shutting_down, "the engine is shutting down");
}

} // namespace

request_gateway::request_gateway(caf::actor_system& system, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  // Hidden: the system does not wait for it on shutdown.
  auto companion = system.spawn<caf::actor_companion, caf::hidden>();
  companion_ = caf::actor_cast<caf::strong_actor_ptr>(companion);
  companion_of(companion_)->on_enqueue(
    [this](caf::mailbox_element_ptr element) { on_reply(std::move(element)); });
  expirer_ = std::thread{[this] { expire_loop(); }};
}

request_gateway::~request_gateway() {
  close();
}

uint64_t request_gateway::enroll(reply_handler handler) {
  std::unique_lock<std::mutex> guard{mutex_};
  if (closed_) {
    guard.unlock();
    handler(closed_error());
    return 0;
  }
  const uint64_t id = next_id_++;
  const bool first = slots_.empty();
  // Ids grow, so the new entry is the last one: constant-time insertion at the end.
  slots_.emplace_hint(slots_.end(), id, slot{std::move(handler), clock::now() + timeout_});
  guard.unlock();
  if (first)
    wake_.notify_one();
  return id;
}

void request_gateway::refuse_invalid(reply_handler& handler) {
  handler(caf::make_error(caf::sec::invalid_argument));
}

void request_gateway::on_reply(caf::mailbox_element_ptr element) {
  if (!element->mid.is_response())
    return;  // nothing else is addressed to the companion
  const uint64_t id = element->mid.request_id().integer_value();
  reply_handler handler;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto found = slots_.find(id);
    if (found == slots_.end())
      return;  // its timeout was reported already
    handler = std::move(found->second.handler);
    slots_.erase(found);
  }
  auto content = element->move_content_to_message();
  if (content.match_elements<caf::error>())
    handler(std::move(content.get_mutable_as<caf::error>(0)));
  else
    handler(std::move(content));
}

void request_gateway::expire_loop() {
  std::unique_lock<std::mutex> guard{mutex_};
  std::vector<reply_handler> due;
  while (!closed_) {
    if (slots_.empty()) {
      wake_.wait(guard);
      continue;
    }
    auto now = clock::now();
    auto deadline = slots_.begin()->second.deadline;
    if (now < deadline) {
      wake_.wait_until(guard, deadline);
      continue;
    }
    // Deadlines grow with ids: the expired requests are a prefix of the table.
    while (!slots_.empty() && slots_.begin()->second.deadline <= now) {
      due.push_back(std::move(slots_.begin()->second.handler));
      slots_.erase(slots_.begin());
    }
    guard.unlock();
    for (auto& handler : due)
      handler(caf::make_error(caf::sec::request_timeout));
    due.clear();
    guard.lock();
  }
}

void request_gateway::close() {
  std::map<uint64_t, slot> orphans;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (closed_)
      return;
    closed_ = true;
    orphans.swap(slots_);
  }
  wake_.notify_all();
  if (expirer_.joinable())
    expirer_.join();
  // Waits for a reply being handed over right now; later replies are dropped. (CAF 0.17.6 declares
  // actor_companion::disconnect but does not define it: the companion, hidden, is destroyed with
  // its last reference, the elements in flight that name it as sender.)
  companion_of(companion_)->on_enqueue(nullptr);
  for (auto& [id, entry] : orphans)
    entry.handler(closed_error());
}

std::size_t request_gateway::pending() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return slots_.size();
}

} // namespace presence::actors
