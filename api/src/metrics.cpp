#include "metrics.hpp"

#include <atomic>
#include <string>

namespace presence::api {

namespace {

template <class T>
void add(std::string& out, const char* name, const char* type, const char* help,
         const std::atomic<T>& value) {
  out += "# HELP presence_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE presence_";
  out += name;
  out += ' ';
  out += type;
  out += "\npresence_";
  out += name;
  out += ' ';
  out += std::to_string(value.load(std::memory_order_relaxed));
  out += '\n';
}

} // namespace

std::string metrics::render() const {
  std::string out;
  out.reserve(2048);
  add(out, "http_requests_total", "counter", "HTTP requests answered.", http_requests);
  add(out, "http_errors_total", "counter", "Web/REST API answers with ok=false or success=false.",
      http_errors);
  add(out, "ratelimited_total", "counter",
      "Requests refused by a rate limit (HTTP 429 and WebSocket rate-limit errors).", ratelimited);
  add(out, "ws_connections", "gauge", "Open WebSocket sessions.", ws_connections);
  add(out, "ws_messages_in_total", "counter", "WebSocket messages received.", ws_messages_in);
  add(out, "ws_messages_out_total", "counter", "WebSocket messages sent.", ws_messages_out);
  add(out, "ws_closed_slow_consumer_total", "counter",
      "WebSocket sessions closed because their unsent backlog passed the bound.",
      ws_closed_slow_consumer);
  add(out, "ws_closed_dead_peer_total", "counter",
      "WebSocket sessions closed because the peer stopped answering pings.", ws_closed_dead_peer);
  add(out, "broadcast_deliveries_total", "counter",
      "Users delivered in presence_change frames.", broadcast_deliveries);
  return out;
}

} // namespace presence::api
