// presence-load's barrier files (see file_barrier.hpp).
#include "file_barrier.hpp"

#include <chrono>
#include <system_error>
#include <utility>

#include "load_util.hpp"

namespace presence::load {

file_barrier::file_barrier(boost::asio::io_context& io, std::string dir)
  : timer_(io), dir_(std::move(dir)) {}

void file_barrier::await(const std::string& name, std::function<void()> then) {
  if (dir_.empty()) {
    then();
    return;
  }
  emit({{"bench", "load"}, {"phase", "barrier"}, {"name", name}});
  waiting_for_ = std::filesystem::path{dir_} / name;
  then_ = std::move(then);
  poll();
}

void file_barrier::poll() {
  std::error_code ec;
  if (std::filesystem::exists(waiting_for_, ec)) {
    auto then = std::move(then_);
    then();
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(100));
  timer_.async_wait([this](boost::system::error_code error) {
    if (!error)
      poll();
  });
}

} // namespace presence::load
