#include "http/connection_limits.hpp"

namespace presence::api::http {

connection_limits::connection_limits(std::size_t total, std::size_t per_address)
  : total_cap_(total), per_address_cap_(per_address) {
}

connection_hold connection_limits::admit(const std::string& address) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (total_cap_ != 0 && total_ >= total_cap_)
      return nullptr;
    auto& count = by_address_[address];
    if (per_address_cap_ != 0 && count >= per_address_cap_)
      return nullptr;  // `count` is at least 1 here: the entry stays
    ++count;
    ++total_;
  }
  // No object is needed, only the moment the last holder lets go.
  return connection_hold(static_cast<void*>(this),
                         [this, address](void*) { release(address); });
}

std::size_t connection_limits::open() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return total_;
}

void connection_limits::release(const std::string& address) {
  std::lock_guard<std::mutex> guard{mutex_};
  --total_;
  auto it = by_address_.find(address);
  if (it != by_address_.end() && --it->second == 0)
    by_address_.erase(it);
}

} // namespace presence::api::http
