#include "event_json.hpp"

#include "time_format.hpp"

namespace presence::tools {

namespace {

using nlohmann::ordered_json;
namespace ev = presence::events;

// One overload per payload: appends the event's own fields in the documented order.
void add_fields(ordered_json& out, const ev::connected& body) {
  out["conn"] = body.conn;
  out["client"] = body.client;
  out["epoch"] = body.epoch;
}
void add_fields(ordered_json& out, const ev::disconnected& body) {
  out["conn"] = body.conn;
  out["reason"] = std::string(ev::to_string(body.reason));
}
void add_fields(ordered_json& out, const ev::activity& body) {
  out["conn"] = body.conn;
}
void add_fields(ordered_json& out, const ev::presence_set& body) {
  out["mode"] = std::string(ev::to_string(body.mode));
  if (body.until != 0)
    out["until"] = format_time(body.until);
}
void add_fields(ordered_json& out, const ev::status_set& body) {
  out["text"] = body.text;
  out["emoji"] = body.emoji;
  out["expiration"] = body.expiration;
}
void add_fields(ordered_json& out, const ev::preferences_set& body) {
  out["idle_timeout"] = body.idle_timeout;
  out["auto_away"] = body.auto_away;
}
void add_fields(ordered_json& out, const ev::preset_applied& body) {
  out["preset_id"] = body.preset_id;
  out["text"] = body.text;
  out["mode"] = std::string(ev::to_string(body.mode));
}
void add_fields(ordered_json& out, const ev::user_created& body) {
  out["user"] = body.user;
  out["name"] = body.name;
  out["admin"] = body.admin;
  if (body.bot) // only bots carry it, as their records do (version 2)
    out["bot"] = true;
}
void add_fields(ordered_json& out, const ev::always_active_set& body) {
  out["user"] = body.user;
  out["always_active"] = body.always_active;
}
void add_fields(ordered_json& out, const ev::user_deactivated& body) {
  out["user"] = body.user;
}
void add_fields(ordered_json& out, const ev::token_issued& body) {
  out["id"] = body.id;
  out["user"] = body.user;
  out["hash"] = body.hash;
}
void add_fields(ordered_json& out, const ev::token_revoked& body) {
  out["id"] = body.id;
}
void add_fields(ordered_json& out, const ev::setting_changed& body) {
  out["key"] = body.key;
  out["value"] = body.value;
}
/// preset_created and preset_updated carry the same fields.
template <class Preset>
auto add_fields(ordered_json& out, const Preset& body)
  -> decltype(body.presence, void()) {
  out["id"] = body.id;
  out["name"] = body.name;
  out["presence"] = std::string(ev::to_string(body.presence));
}
void add_fields(ordered_json& out, const ev::preset_deleted& body) {
  out["id"] = body.id;
}
void add_fields(ordered_json& out, const ev::service_disabled& body) {
  out["reason"] = body.reason;
  out["connections"] = body.connections;
}
void add_fields(ordered_json& out, const ev::epoch_started& body) {
  out["epoch"] = body.epoch;
}
// Events without fields of their own.
void add_fields(ordered_json&, const ev::away&) {}
void add_fields(ordered_json&, const ev::presence_expired&) {}
void add_fields(ordered_json&, const ev::status_expired&) {}
void add_fields(ordered_json&, const ev::service_enabled&) {}

/// The keys every event has (`to_json` writes them first), as opposed to its payload's fields.
bool is_header_field(const std::string& key) {
  for (const char* header : {"seq", "ts", "stream", "type", "by", "via", "token_id", "address"})
    if (key == header)
      return true;
  return false;
}

} // namespace

ordered_json to_json(const events::event& event) {
  ordered_json out = ordered_json::object();
  out["seq"] = event.seq;
  out["ts"] = format_time(event.ts);
  out["stream"] = event.stream;
  out["type"] = std::string(ev::to_string(ev::type_of(event.body)));
  out["by"] = event.by;
  out["via"] = event.via;
  // Only when set: records older than format version 3 have neither, and export them unchanged.
  if (!event.token_id.empty())
    out["token_id"] = event.token_id;
  if (!event.address.empty())
    out["address"] = event.address;
  std::visit([&out](const auto& body) { add_fields(out, body); }, event.body);
  return out;
}

std::string to_json_line(const events::event& event) {
  // `replace` keeps invalid UTF-8 from a damaged record printable instead of throwing.
  return to_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string describe_fields(const events::event& event) {
  const ordered_json object = to_json(event);
  std::string text;
  for (const auto& [key, value] : object.items()) {
    if (is_header_field(key))
      continue;
    if (!text.empty())
      text += ' ';
    text += key;
    text += '=';
    text += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return text;
}

} // namespace presence::tools
