#include "rtm_protocol.hpp"

#include <array>
#include <mutex>
#include <unordered_set>

#include "../bounded_json.hpp"
#include "presence/events/validation.hpp"
#include "slack/user_object.hpp"

namespace presence::api::rtm {

namespace {

using nlohmann::json;

bad_message bad(protocol_error code, std::string detail, json reply_to = nullptr) {
  return bad_message{code, std::move(detail), std::move(reply_to)};
}

// The client's `id`, echoed as `reply_to` in errors; only scalars are echoed.
json reply_id(const json& frame) {
  auto it = frame.find("id");
  if (it == frame.end() || it->is_structured())
    return nullptr;
  return *it;
}

// `ids` of presence_sub / presence_query: an array of valid user ids, at most `max`, duplicates
// dropped (first occurrence kept). The size is checked before anything else so a huge array
// costs no more than reading it.
std::variant<std::vector<std::string>, bad_message> parse_ids(const json& frame, std::size_t max,
                                                              const char* type) {
  auto id = reply_id(frame);
  auto it = frame.find("ids");
  if (it == frame.end() || !it->is_array())
    return bad(protocol_error::invalid_ids, std::string(type) + ": `ids` must be an array", id);
  if (it->size() > max)
    return bad(protocol_error::too_many_ids,
               std::string(type) + ": " + std::to_string(it->size()) + " ids, at most " +
                 std::to_string(max),
               id);
  std::vector<std::string> ids;
  ids.reserve(it->size());
  std::unordered_set<std::string> seen;
  std::size_t index = 0;
  for (const auto& element : *it) {
    if (!element.is_string())
      return bad(protocol_error::invalid_ids,
                 std::string(type) + ": ids[" + std::to_string(index) + "] is not a string", id);
    const auto& user = element.get_ref<const std::string&>();
    if (!events::validate_user_id(user).ok())
      return bad(protocol_error::invalid_ids,
                 std::string(type) + ": ids[" + std::to_string(index) + "] is not a user id", id);
    if (seen.insert(user).second)
      ids.push_back(user);
    ++index;
  }
  return ids;
}

json presence_fields(events::presence_value value) {
  return json{{"presence", slack_presence(value)}, {"presence_detail", presence_name(value)}};
}

/// Appends `text` as a JSON string. User ids are [A-Za-z0-9._-] (validate_user_id), so this is
/// mostly a copy; quotes, backslashes and control characters are escaped all the same.
void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (byte < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

/// `frame` (an object without "users") dumped with `"users":[…]` spliced in: for valid user ids,
/// byte for byte what nlohmann prints, without a JSON value per user (a batch can hold thousands).
std::string render_users_into(json frame, const std::vector<std::string>& users) {
  frame["users"] = json::array();
  std::string text = frame.dump();
  // "users" sorts last among the keys (std::map order), so the dump ends with `"users":[]}`.
  const std::size_t tail = text.rfind("[]}");
  std::string out = text.substr(0, tail + 1);
  std::size_t bytes = out.size() + 2;
  for (const auto& user : users)
    bytes += user.size() + 3;
  out.reserve(bytes);
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    append_json_string(out, users[i]);
  }
  out += "]}";
  return out;
}

} // namespace

const char* to_string(protocol_error code) noexcept {
  switch (code) {
    case protocol_error::invalid_json: return "invalid_json";
    case protocol_error::invalid_message: return "invalid_message";
    case protocol_error::unknown_type: return "unknown_type";
    case protocol_error::invalid_ids: return "invalid_ids";
    case protocol_error::too_many_ids: return "too_many_ids";
    case protocol_error::ratelimited: return "ratelimited";
    case protocol_error::server_error: return "server_error";
    case protocol_error::busy: return "busy";
  }
  return "server_error";
}

client_message parse_client_message(std::string_view text, std::size_t max_query_ids,
                                    std::size_t max_sub_ids) {
  // No exceptions: a parse failure yields a discarded value. The depth bound matters here:
  // a ping is echoed, and copying or printing a deep value recurses once per level.
  bool too_deep = false;
  json frame = parse_client_json(text, &too_deep);
  if (too_deep)
    return bad(protocol_error::invalid_json,
               "the frame nests deeper than " + std::to_string(max_json_depth) + " levels");
  if (frame.is_discarded())
    return bad(protocol_error::invalid_json, "the frame is not valid JSON");
  if (!frame.is_object())
    return bad(protocol_error::invalid_message, "the frame must be a JSON object");
  auto id = reply_id(frame);
  auto type_it = frame.find("type");
  if (type_it == frame.end() || !type_it->is_string())
    return bad(protocol_error::invalid_message, "the frame has no string `type`", id);
  const auto& type = type_it->get_ref<const std::string&>();
  if (type == "presence_sub") {
    auto ids = parse_ids(frame, max_sub_ids, "presence_sub");
    if (auto* err = std::get_if<bad_message>(&ids))
      return std::move(*err);
    return presence_sub_message{std::get<std::vector<std::string>>(std::move(ids)), id};
  }
  if (type == "presence_query") {
    auto ids = parse_ids(frame, max_query_ids, "presence_query");
    if (auto* err = std::get_if<bad_message>(&ids))
      return std::move(*err);
    return presence_query_message{std::get<std::vector<std::string>>(std::move(ids)), id};
  }
  if (type == "ping")
    return ping_message{std::move(frame)};
  if (type == "tickle")
    return tickle_message{};
  return bad(protocol_error::unknown_type, "unknown type `" + type + "`", id);
}

const char* slack_presence(events::presence_value value) noexcept {
  switch (value) {
    case events::presence_value::online:
    case events::presence_value::busy: return "active";
    case events::presence_value::away:
    case events::presence_value::offline:
    case events::presence_value::disabled: return "away";
  }
  return "away";
}

const char* presence_name(events::presence_value value) noexcept {
  switch (value) {
    case events::presence_value::online: return "online";
    case events::presence_value::away: return "away";
    case events::presence_value::busy: return "busy";
    case events::presence_value::offline: return "offline";
    case events::presence_value::disabled: return "disabled";
  }
  return "offline";
}

std::string render_hello() {
  return json{{"type", "hello"}}.dump();
}

std::string render_goodbye(std::string_view reason) {
  json goodbye{{"type", "goodbye"}};
  if (!reason.empty())
    goodbye["reason"] = reason;
  return goodbye.dump();
}

std::string render_pong(const json& ping) {
  json pong = ping.is_object() ? ping : json::object();
  auto id = pong.find("id");
  if (id != pong.end()) {
    pong["reply_to"] = *id;
    pong.erase("id");
  }
  pong["type"] = "pong";
  // The echo may carry anything the client sent: never let invalid UTF-8 throw.
  return pong.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_error(protocol_error code, std::string_view detail, const json& reply_to) {
  json frame{{"type", "error"},
             {"error",
              {{"code", static_cast<int>(code)}, {"msg", to_string(code)}, {"detail", detail}}}};
  if (!reply_to.is_null())
    frame["reply_to"] = reply_to;
  return frame.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> render_presence_change(events::presence_value value,
                                                const std::vector<std::string>& users,
                                                bool batched) {
  std::vector<std::string> frames;
  if (users.empty())
    return frames;
  json frame = presence_fields(value);
  frame["type"] = "presence_change";
  if (batched) {
    frames.push_back(render_users_into(frame, users));
    return frames;
  }
  frames.reserve(users.size());
  for (const auto& user : users) {
    frame["user"] = user;
    frames.push_back(frame.dump());
  }
  return frames;
}

std::vector<std::string> render_presence_answer(
  const std::vector<std::pair<std::string, events::presence_value>>& presences, bool batched) {
  std::vector<std::pair<events::presence_value, std::vector<std::string>>> groups;
  for (const auto& [user, value] : presences) {
    auto it = groups.begin();
    while (it != groups.end() && it->first != value)
      ++it;
    if (it == groups.end())
      it = groups.insert(groups.end(), {value, {}});
    it->second.push_back(user);
  }
  std::vector<std::string> frames;
  for (const auto& [value, users] : groups)
    for (auto& frame : render_presence_change(value, users, batched))
      frames.push_back(std::move(frame));
  return frames;
}

std::string render_manual_presence_change(events::presence_value value) {
  json frame = presence_fields(value);
  frame["type"] = "manual_presence_change";
  return frame.dump();
}

std::string render_user_status_changed(const std::string& user,
                                       const events::custom_status& status) {
  json profile{{"status_text", status.text},
               {"status_emoji", status.emoji},
               {"status_expiration", status.expiration}};
  json frame{{"type", "user_status_changed"}, {"user", {{"id", user}, {"profile", profile}}}};
  return frame.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_user_change(const user_profile& profile) {
  json frame{{"type", "user_change"}, {"user", slack::user_object(profile.user, profile.status)}};
  return frame.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> user_change_frames(const profile_list& profiles) {
  if (!profiles)
    return {};
  // Every socket of a broadcaster phase gets the same list: render it once. The last few lists
  // are kept (holding them keeps their addresses from being reused by a newer list).
  static std::mutex mutex;
  static std::array<std::pair<profile_list, std::vector<std::string>>, 16> rendered;
  static std::size_t next = 0;
  {
    std::lock_guard<std::mutex> guard{mutex};
    for (const auto& [list, frames] : rendered)
      if (list == profiles)
        return frames;
  }
  std::vector<std::string> frames;
  frames.reserve(profiles->size());
  for (const auto& profile : *profiles)
    frames.push_back(render_user_change(profile));
  std::lock_guard<std::mutex> guard{mutex};
  rendered[next++ % rendered.size()] = {profiles, frames};
  return frames;
}

std::string render_service_status(const presence::engine::service_state& service) {
  json frame{{"type", "presence_service_status"},
             {"enabled", service.enabled},
             {"connections", service.connections},
             {"limit", service.limit}};
  if (!service.enabled)
    frame["reason"] = service.reason;
  return frame.dump();
}

std::vector<std::string> render_notification(const notification& note, bool batched) {
  switch (note.type) {
    case notification::kind::presence_change:
      return render_presence_change(note.presence, note.users, batched);
    case notification::kind::manual_presence_change:
      return {render_manual_presence_change(note.presence)};
    case notification::kind::user_status_changed:
      if (note.users.empty())
        return {};
      return {render_user_status_changed(note.users.front(), note.status)};
    case notification::kind::presence_service_status:
      return {render_service_status(presence::engine::service_state{
        note.service_enabled, note.connections, note.limit, note.reason})};
    case notification::kind::user_change:
      return user_change_frames(note.profiles);
    case notification::kind::reconnect:
      return {}; // the connection closes (session.cpp)
    case notification::kind::credentials_changed:
      return {}; // for the server's own subscription (server.cpp)
  }
  return {};
}

} // namespace presence::api::rtm
