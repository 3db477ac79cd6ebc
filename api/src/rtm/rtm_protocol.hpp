#pragma once

// The real-time API's wire format (docs/design.md §5, Slack's RTM): parsing client frames and
// rendering server frames. Pure functions of their arguments: no I/O, no engine, no clock, any
// thread.
//
// Presence values on the wire follow Slack: `active` (online or busy) and `away` (everything
// else). Every frame that carries a presence also carries the richer value in `presence_detail`
// (`online`, `away`, `busy`, `offline`, `disabled`), an extension Slack clients ignore.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "presence/actors/engine.hpp"
#include "presence/events/event.hpp"
#include "presence/events/user_state.hpp"

namespace presence::api::rtm {

/// The codes of `{"type":"error","error":{"code":N,"msg":"<name>","detail":"…"}}` frames. The
/// numbers are part of the protocol and never change; `msg` is the snake_case name below.
enum class protocol_error : int {
  invalid_json = 1,     ///< the frame is not JSON
  invalid_message = 2,  ///< JSON, but not an object with a string `type`
  unknown_type = 3,     ///< a `type` this server does not accept
  invalid_ids = 4,      ///< `ids` missing, not an array of strings, or an id is malformed
  too_many_ids = 5,     ///< more ids than presence_query / presence_sub accept
  ratelimited = 6,      ///< presence_sub / presence_query faster than the session's rate
  server_error = 7,     ///< the engine failed the request (its code is in `detail`)
  busy = 8,             ///< the server's engine-call queue is full: try again later
};

/// Stable snake_case name of a code, e.g. "ratelimited".
const char* to_string(protocol_error code) noexcept;

/// `presence_sub`: the whole new subscription (order kept, duplicates removed).
struct presence_sub_message {
  std::vector<std::string> ids;
  nlohmann::json reply_to;  ///< the client's `id` when it sent one, else null
};
/// `presence_query`: ids to answer with presence_change frames (order kept, duplicates removed).
struct presence_query_message {
  std::vector<std::string> ids;
  nlohmann::json reply_to;  ///< the client's `id` when it sent one, else null
};
/// `ping`: `frame` is the whole client object, echoed in the pong.
struct ping_message {
  nlohmann::json frame;
};
/// `tickle`: activity only, no answer.
struct tickle_message {};
/// A frame that cannot be served; the socket stays open and gets an error frame.
struct bad_message {
  protocol_error code = protocol_error::invalid_message;
  std::string detail;
  nlohmann::json reply_to;  ///< the client's `id` when it sent one, else null
};

using client_message = std::variant<presence_sub_message, presence_query_message, ping_message,
                                    tickle_message, bad_message>;

/// Parses one client text frame. `max_query_ids` bounds presence_query (500 in Slack);
/// `max_sub_ids` bounds presence_sub (the workspace's `max_subscription`). Never throws.
client_message parse_client_message(std::string_view text, std::size_t max_query_ids,
                                    std::size_t max_sub_ids);

/// Slack's two-valued view: online and busy are `active`, everything else `away`.
const char* slack_presence(events::presence_value value) noexcept;
/// The five-valued name: "online", "away", "busy", "offline", "disabled".
const char* presence_name(events::presence_value value) noexcept;

/// `{"type":"user_change","user":{…}}`: Slack's user object (slack/user_object.hpp), one frame
/// per changed user.
std::string render_user_change(const user_profile& profile);
/// The user_change frames of one broadcaster list, rendered once per list and copied to every
/// session that gets it (thread-safe; the last 16 lists are remembered).
using profile_list = std::shared_ptr<const std::vector<user_profile>>;
std::vector<std::string> user_change_frames(const profile_list& profiles);

/// `{"type":"hello"}`.
std::string render_hello();
/// `{"type":"goodbye"}`: Slack's notice that the server is about to close the socket; with
/// `"reason":REASON` when `reason` is not empty (`token_revoked`, `account_inactive`).
std::string render_goodbye(std::string_view reason = {});
/// `{"type":"pong","reply_to":ID,…}`: the ping's other fields are echoed (Slack does the same);
/// `reply_to` is omitted when the ping had no `id`.
std::string render_pong(const nlohmann::json& ping);
/// `{"type":"error","error":{"code":N,"msg":NAME,"detail":DETAIL}}` plus `reply_to` when the
/// client's frame had an `id`.
std::string render_error(protocol_error code, std::string_view detail,
                         const nlohmann::json& reply_to = nullptr);
/// The presence_change frames for `users` all having `value`: one batched frame
/// (`"users":[…]`) when `batched`, else one single-`user` frame per user. None for no users.
std::vector<std::string> render_presence_change(events::presence_value value,
                                                const std::vector<std::string>& users,
                                                bool batched);
/// The answer to a presence_query: pairs grouped by value (first-seen order of values, order of
/// users kept inside a group), each group rendered as `render_presence_change`.
std::vector<std::string> render_presence_answer(
  const std::vector<std::pair<std::string, events::presence_value>>& presences, bool batched);
/// `{"type":"manual_presence_change","presence":"active|away","presence_detail":…}`.
std::string render_manual_presence_change(events::presence_value value);
/// `{"type":"user_status_changed","user":{"id":…,"profile":{"status_text","status_emoji",
/// "status_expiration"}}}`.
std::string render_user_status_changed(const std::string& user,
                                       const events::custom_status& status);
/// `{"type":"presence_service_status","enabled":true|false,"connections":N,"limit":N}` (the open
/// connections and the limit when the state changed), with `"reason"` (`connection_limit`,
/// `admin`) when off.
std::string render_service_status(const presence::engine::service_state& service);

/// Every frame one engine notification becomes for a session (see the renderers above).
std::vector<std::string> render_notification(const notification& note, bool batched);

} // namespace presence::api::rtm
