#include "engine_offload.hpp"

#include <mutex>

namespace presence::api::rtm {

namespace {

std::mutex pool_mutex;
std::shared_ptr<boost::asio::thread_pool> current_pool;

} // namespace

std::shared_ptr<boost::asio::thread_pool> offload_pool() {
  std::lock_guard<std::mutex> guard{pool_mutex};
  if (!current_pool)
    current_pool = std::make_shared<boost::asio::thread_pool>(2);
  return current_pool;
}

void retire_offload_pool(bool abandon_queued) {
  std::shared_ptr<boost::asio::thread_pool> retired;
  {
    std::lock_guard<std::mutex> guard{pool_mutex};
    retired.swap(current_pool);
  }
  if (!retired)
    return;
  if (abandon_queued)
    retired->stop();
  retired->join();
}

} // namespace presence::api::rtm
