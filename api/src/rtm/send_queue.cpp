#include "send_queue.hpp"

#include <utility>

namespace presence::api::rtm {

bool send_queue::push(std::string frame) {
  if (!frames_.empty() && bytes_ + frame.size() > max_bytes_)
    return false;
  bytes_ += frame.size();
  frames_.push_back(std::move(frame));
  return true;
}

void send_queue::pop() {
  bytes_ -= frames_.front().size();
  frames_.pop_front();
}

void send_queue::drop_unsent(bool front_in_flight) {
  std::size_t keep = front_in_flight && !frames_.empty() ? 1 : 0;
  while (frames_.size() > keep) {
    bytes_ -= frames_.back().size();
    frames_.pop_back();
  }
}

} // namespace presence::api::rtm
