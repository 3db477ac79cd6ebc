#include "ddp_protocol.hpp"

#include <algorithm>
#include <array>

#include "../bounded_json.hpp"

namespace presence::api::ddp {

using json = nlohmann::json;

namespace {

constexpr std::array<const char*, 3> served_versions{"1", "pre2", "pre1"};

bool served(const std::string& version) {
  return std::any_of(served_versions.begin(), served_versions.end(),
                     [&](const char* v) { return version == v; });
}

/// The message's `params` as an array: absent = empty, anything else but an array = null.
json params_of(const json& frame) {
  auto it = frame.find("params");
  if (it == frame.end())
    return json::array();
  return it->is_array() ? *it : json(nullptr);
}

} // namespace

client_message parse_client_message(std::string_view text) {
  json frame = parse_client_json(text);
  if (frame.is_discarded())
    return bad_message{"Parse error", nullptr};
  auto type = frame.is_object() ? frame.find("msg") : frame.end();
  if (!frame.is_object() || type == frame.end() || !type->is_string())
    return bad_message{"Bad request", std::move(frame)};
  const auto& kind = type->get_ref<const std::string&>();
  auto string_field = [&frame](const char* name) -> const json* {
    auto it = frame.find(name);
    return it != frame.end() && it->is_string() ? &*it : nullptr;
  };
  if (kind == "connect") {
    return connect_message{frame.value("version", json(nullptr)),
                           frame.value("support", json(nullptr))};
  }
  if (kind == "ping")
    return ping_message{frame.value("id", json(nullptr))};
  if (kind == "pong")
    return pong_message{};
  // A method or a sub: a string `id`, a string `key` (`method` / `name`), array `params`.
  auto request = [&](const char* key, const char* malformed, auto make) -> client_message {
    const auto* id = string_field("id");
    const auto* name = string_field(key);
    auto params = params_of(frame);
    if (!id || !name || params.is_null())
      return bad_message{malformed, std::move(frame)};
    return make(id->get<std::string>(), name->get<std::string>(), std::move(params));
  };
  if (kind == "method")
    return request("method", "Malformed method invocation", [](auto id, auto name, auto params) {
      return method_message{std::move(id), std::move(name), std::move(params)};
    });
  if (kind == "sub")
    return request("name", "Malformed subscription", [](auto id, auto name, auto params) {
      return sub_message{std::move(id), std::move(name), std::move(params)};
    });
  if (kind == "unsub") {
    const auto* id = string_field("id");
    if (!id)
      return bad_message{"Malformed subscription", std::move(frame)};
    return unsub_message{id->get<std::string>()};
  }
  return bad_message{"Bad request", std::move(frame)};
}

std::string negotiate(const connect_message& msg) {
  if (!msg.version.is_string() || !msg.support.is_array())
    return {};
  const auto& version = msg.version.get_ref<const std::string&>();
  bool listed = false;
  for (const auto& item : msg.support) {
    if (!item.is_string())
      return {};
    listed = listed || item == version;
  }
  return listed && served(version) ? version : std::string{};
}

json meteor_error(const json& error, std::string_view reason, const json& details) {
  std::string code = error.is_string() ? error.get<std::string>() : error.dump();
  json out{{"isClientSafe", true},
           {"error", error},
           {"reason", reason},
           {"message", std::string(reason) + " [" + code + "]"},
           {"errorType", "Meteor.Error"}};
  if (!details.is_null())
    out["details"] = details;
  return out;
}

std::string render_server_id() {
  return json{{"server_id", "0"}}.dump();
}

std::string render_connected(std::string_view session) {
  return json{{"msg", "connected"}, {"session", session}}.dump();
}

std::string render_failed() {
  return json{{"msg", "failed"}, {"version", preferred_version}}.dump();
}

std::string render_pong(const json& id) {
  json out{{"msg", "pong"}};
  if (!id.is_null())
    out["id"] = id;
  return out.dump();
}

std::string render_error(std::string_view reason, const json& offending) {
  json out{{"msg", "error"}, {"reason", reason}};
  if (!offending.is_null())
    out["offendingMessage"] = offending;
  // A client's message echoed back may hold invalid UTF-8 inside strings: replace, never throw.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_result(std::string_view id, const json& result) {
  json out{{"msg", "result"}, {"id", id}};
  if (!result.is_null())
    out["result"] = result;
  return out.dump();
}

std::string render_result_error(std::string_view id, const json& error) {
  return json{{"msg", "result"}, {"id", id}, {"error", error}}.dump(
    -1, ' ', false, json::error_handler_t::replace);
}

std::string render_updated(std::string_view id) {
  return json{{"msg", "updated"}, {"methods", json::array({id})}}.dump();
}

std::string render_ready(std::string_view id) {
  return json{{"msg", "ready"}, {"subs", json::array({id})}}.dump();
}

std::string render_nosub(std::string_view id, const json& error) {
  json out{{"msg", "nosub"}, {"id", id}};
  if (!error.is_null())
    out["error"] = error;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

int status_code(events::presence_value value) noexcept {
  switch (value) {
    case events::presence_value::online:
      return 1;
    case events::presence_value::away:
      return 2;
    case events::presence_value::busy:
      return 3;
    case events::presence_value::offline:
    case events::presence_value::disabled:
      return 0;
  }
  return 0;
}

std::string render_stream_event(std::string_view event, json args) {
  return json{{"msg", "changed"},
              {"collection", logged_stream},
              {"id", "id"},
              {"fields", {{"eventName", event}, {"args", std::move(args)}}}}
    .dump();
}

std::string render_user_status(const std::string& user, events::presence_value value,
                               const std::string& status_text) {
  return render_stream_event(user_status_event,
                             json::array({json::array({user, user, status_code(value),
                                                       status_text})}));
}

std::string render_service_status(const presence::engine::service_state& service) {
  json state{{"enabled", service.enabled},
             {"connections", service.connections},
             {"limit", service.limit}};
  if (!service.enabled)
    state["reason"] = service.reason;
  return render_stream_event(service_status_event, json::array({std::move(state)}));
}

} // namespace presence::api::ddp
