#include "engine_offload.hpp"

namespace presence::api::rtm {

boost::asio::thread_pool& offload_pool() {
  static boost::asio::thread_pool pool{2};
  return pool;
}

} // namespace presence::api::rtm
