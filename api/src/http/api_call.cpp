#include "http/api_call.hpp"

#include "http/request_params.hpp"

namespace presence::api::http {

void api_call::send(int status, const nlohmann::json& body, bool failed,
                    std::vector<std::pair<std::string, std::string>> headers) {
  if (answered_.exchange(true))
    return;  // a second answer would be a bug upstream; the first one stands
  if (failed)
    gw.stats.http_errors.fetch_add(1, std::memory_order_relaxed);
  api_reply out;
  out.status = status;
  out.body = dump_json(body);
  out.headers = std::move(headers);
  reply_(std::move(out));
}

} // namespace presence::api::http
