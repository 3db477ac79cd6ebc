#pragma once

// Rocket.Chat's real-time wire format (Meteor's DDP, the subset presence serves; README.md in
// this folder): parsing client messages and rendering server messages. Pure functions of their
// arguments: no I/O, no engine, no clock, any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "presence/actors/engine.hpp"
#include "presence/events/event.hpp"

namespace presence::api::ddp {

/// The DDP versions served, most preferred first (Meteor's list).
inline constexpr const char* preferred_version = "1";

/// `connect`: `version` and `support` as the client sent them (checked by `negotiate`).
struct connect_message {
  nlohmann::json version;
  nlohmann::json support;
};
/// `ping`: `id` (any JSON, null when absent) is echoed in the pong.
struct ping_message {
  nlohmann::json id;
};
/// `pong`: the answer to a server ping; nothing to do.
struct pong_message {};
/// `method`: a call to answer with `result` (and `updated`).
struct method_message {
  std::string id;
  std::string method;
  nlohmann::json params = nlohmann::json::array();  ///< always an array
};
/// `sub`: a subscription to answer with `ready` or `nosub`.
struct sub_message {
  std::string id;
  std::string name;
  nlohmann::json params = nlohmann::json::array();  ///< always an array
};
/// `unsub`: answered with `nosub`.
struct unsub_message {
  std::string id;
};
/// A message that cannot be served: answered `{"msg":"error","reason":…,"offendingMessage":…}`,
/// the socket stays open (Meteor's reasons: `Parse error`, `Bad request`, `Malformed method
/// invocation`, `Malformed subscription`).
struct bad_message {
  std::string reason;
  nlohmann::json offending;  ///< the message when it was JSON, else null
};

using client_message = std::variant<connect_message, ping_message, pong_message, method_message,
                                    sub_message, unsub_message, bad_message>;

/// Parses one client text frame. A JSON value nested deeper than 64 levels is a `Parse error`.
/// Never throws.
client_message parse_client_message(std::string_view text);

/// The version to speak for `connect`: `version` itself when it is a string this server speaks
/// and `support` (an array of strings) holds it; empty when the connect must fail.
std::string negotiate(const connect_message& msg);

/// A `Meteor.Error` as Rocket.Chat serialises it in `result.error` and `nosub.error`:
/// `{"isClientSafe":true,"error":ERROR,"reason":REASON,"message":"REASON [ERROR]",
/// "errorType":"Meteor.Error"}`, plus `details` when not null. `error` is a number (Meteor's
/// 400, 403, 404) or a Rocket.Chat name (`error-invalid-user`, `too-many-requests`…).
nlohmann::json meteor_error(const nlohmann::json& error, std::string_view reason,
                            const nlohmann::json& details = nullptr);

/// `{"server_id":"0"}`: the first message, as Meteor servers send it (clients ignore it).
std::string render_server_id();
/// `{"msg":"connected","session":SESSION}`.
std::string render_connected(std::string_view session);
/// `{"msg":"failed","version":"1"}`: the version this server would speak.
std::string render_failed();
/// `{"msg":"pong"}`, with `"id"` when the ping had one.
std::string render_pong(const nlohmann::json& id);
/// `{"msg":"error","reason":REASON}`, with `"offendingMessage"` when not null.
std::string render_error(std::string_view reason, const nlohmann::json& offending = nullptr);
/// `{"msg":"result","id":ID,"result":RESULT}` (no `result` when null).
std::string render_result(std::string_view id, const nlohmann::json& result);
/// `{"msg":"result","id":ID,"error":ERROR}` (`error` from `meteor_error`).
std::string render_result_error(std::string_view id, const nlohmann::json& error);
/// `{"msg":"updated","methods":[ID]}`.
std::string render_updated(std::string_view id);
/// `{"msg":"ready","subs":[ID]}`.
std::string render_ready(std::string_view id);
/// `{"msg":"nosub","id":ID}`, with `"error"` when not null.
std::string render_nosub(std::string_view id, const nlohmann::json& error = nullptr);

/// Rocket.Chat's status code: 0 offline, 1 online, 2 away, 3 busy (disabled reads offline).
int status_code(events::presence_value value) noexcept;
/// The stream events on `stream-notify-logged`.
inline constexpr const char* logged_stream = "stream-notify-logged";
inline constexpr const char* user_status_event = "user-status";
inline constexpr const char* service_status_event = "presence-service-status";
/// `{"msg":"changed","collection":"stream-notify-logged","id":"id","fields":{"eventName":EVENT,
/// "args":ARGS}}`: a Rocket.Chat stream event.
std::string render_stream_event(std::string_view event, nlohmann::json args);
/// The `user-status` event: args `[[user, username, code, status_text]]` (usernames are ids).
std::string render_user_status(const std::string& user, events::presence_value value,
                               const std::string& status_text);
/// The `presence-service-status` event (an extension): args
/// `[{"enabled":…,"connections":…,"limit":…}]`, with `"reason"` (`connection_limit`, `admin`) when
/// off.
std::string render_service_status(const presence::engine::service_state& service);

} // namespace presence::api::ddp
