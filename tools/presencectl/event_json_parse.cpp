// JSON → event: the validating half of the export format (docs/export-format.md).
#include "event_json.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <set>

#include "presence/events/validation.hpp"
#include "time_format.hpp"

namespace presence::tools {

namespace {

using nlohmann::json;
namespace ev = presence::events;

/// Reads typed fields out of one JSON object, remembering which keys were used and the first
/// fault, so a parser can read every field and check once at the end.
class field_reader {
 public:
  explicit field_reader(const json& object) : object_(object) {}

  std::string string(const char* name) {
    const json* value = find(name, true);
    if (value == nullptr)
      return {};
    if (!value->is_string())
      return fail(name, "must be a string"), std::string{};
    return value->get<std::string>();
  }
  std::optional<std::string> optional_string(const char* name) {
    if (object_.find(name) == object_.end())
      return std::nullopt;
    return string(name);
  }
  uint64_t unsigned_integer(const char* name) {
    const json* value = find(name, true);
    if (value == nullptr)
      return 0;
    if (!value->is_number_unsigned())
      return fail(name, "must be a non-negative integer"), 0;
    return value->get<uint64_t>();
  }
  int64_t signed_integer(const char* name) {
    const json* value = find(name, true);
    if (value == nullptr)
      return 0;
    if (value->is_number_unsigned()) {
      const auto raw = value->get<uint64_t>();
      if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return fail(name, "is out of range"), 0;
      return static_cast<int64_t>(raw);
    }
    if (!value->is_number_integer())
      return fail(name, "must be an integer"), 0;
    return value->get<int64_t>();
  }
  bool boolean(const char* name, bool required = true) {
    const json* value = find(name, required);
    if (value == nullptr)
      return false;
    if (!value->is_boolean())
      return fail(name, "must be true or false"), false;
    return value->get<bool>();
  }
  std::string user_id(const char* name) {
    std::string id = string(name);
    if (ok() && !ev::validate_user_id(id).ok())
      fail(name, "is not a valid user id ([A-Za-z0-9._-]{1,64})", errc::invalid_user_id);
    return id;
  }
  /// Parses an enum by name with `parse`, failing with the list of accepted names.
  template <class Parse>
  auto enumeration(const char* name, Parse parse, const char* accepted) {
    const std::string text = string(name);
    auto parsed = parse(text);
    if (ok() && !parsed)
      fail(name, std::string("must be one of ") + accepted);
    return parsed.value_or(typename decltype(parsed)::value_type{});
  }
  ev::timestamp_us time(const char* name, bool required) {
    if (!required && object_.find(name) == object_.end())
      return 0;
    const std::string text = string(name);
    if (!ok())
      return 0;
    auto parsed = parse_rfc3339(text);
    if (!parsed)
      return fail(name, "is not an RFC 3339 time (" + parsed.error().message + ")"), 0;
    return *parsed;
  }

  /// Fails on the first key of the object that was never read.
  void reject_unknown() {
    if (!ok())
      return;
    for (const auto& item : object_.items())
      if (used_.count(item.key()) == 0)
        return fail(item.key().c_str(), "is not a field of this event type");
  }
  void fail(const std::string& name, const std::string& why, errc code = errc::invalid_argument) {
    if (!fault_)
      fault_ = error{code, "field '" + name + "' " + why};
  }
  bool ok() const { return !fault_.has_value(); }
  const std::optional<error>& fault() const { return fault_; }
  bool has(const char* name) const { return object_.find(name) != object_.end(); }

 private:
  const json* find(const char* name, bool required) {
    used_.insert(name);
    auto it = object_.find(name);
    if (it == object_.end()) {
      if (required)
        fail(name, "is missing");
      return nullptr;
    }
    return &*it;
  }

  const json& object_;
  std::set<std::string> used_;
  std::optional<error> fault_;
};

constexpr const char* modes = "auto, away, busy, invisible";
constexpr const char* reasons =
  "closed, timeout, server_restart, kicked, token_revoked, account_inactive, node_lost";
constexpr const char* presences = "online, away, busy, offline, disabled";

ev::payload read_payload(ev::event_type type, field_reader& in) {
  using t = ev::event_type;
  switch (type) {
    case t::connected:
      return ev::connected{in.string("conn"), in.string("client"), in.unsigned_integer("epoch")};
    case t::disconnected:
      return ev::disconnected{in.string("conn"),
                              in.enumeration("reason", ev::parse_disconnect_reason, reasons)};
    case t::activity:
      return ev::activity{in.string("conn")};
    case t::away:
      return ev::away{};
    case t::presence_set: {
      ev::presence_set body;
      body.mode = in.enumeration("mode", ev::parse_manual_mode, modes);
      body.until = in.time("until", false);
      return body;
    }
    case t::presence_expired:
      return ev::presence_expired{};
    case t::status_set: {
      ev::status_set body{in.string("text"), in.string("emoji"), in.signed_integer("expiration")};
      if (in.ok() && body.expiration < 0)
        in.fail("expiration", "must be 0 (never) or Unix seconds");
      return body;
    }
    case t::status_expired:
      return ev::status_expired{};
    case t::preferences_set: {
      ev::preferences_set body{in.signed_integer("idle_timeout"), in.boolean("auto_away")};
      if (in.ok() && body.idle_timeout < 0)
        in.fail("idle_timeout", "must be 0 (workspace default) or seconds");
      return body;
    }
    case t::preset_applied: {
      ev::preset_applied body{in.string("preset_id"), in.string("text")};
      body.mode = in.enumeration("mode", ev::parse_manual_mode, modes);
      return body;
    }
    case t::user_created:
      return ev::user_created{in.user_id("user"), in.string("name"), in.boolean("admin"),
                              in.boolean("bot", false)};
    case t::user_deactivated:
      return ev::user_deactivated{in.user_id("user")};
    case t::token_issued:
      return ev::token_issued{in.string("id"), in.user_id("user"), in.string("hash")};
    case t::token_revoked:
      return ev::token_revoked{in.string("id")};
    case t::setting_changed:
      return ev::setting_changed{in.string("key"), in.string("value")};
    case t::preset_created:
      return ev::preset_created{in.string("id"), in.string("name"),
                                in.enumeration("presence", ev::parse_presence_value, presences)};
    case t::preset_updated:
      return ev::preset_updated{in.string("id"), in.string("name"),
                                in.enumeration("presence", ev::parse_presence_value, presences)};
    case t::preset_deleted:
      return ev::preset_deleted{in.string("id")};
    case t::service_disabled:
      return ev::service_disabled{in.string("reason"), in.unsigned_integer("connections")};
    case t::service_enabled:
      return ev::service_enabled{};
    case t::epoch_started:
      return ev::epoch_started{in.unsigned_integer("epoch")};
    case t::always_active_set:
      return ev::always_active_set{in.user_id("user"), in.boolean("always_active")};
  }
  in.fail("type", "has no payload mapping", errc::unknown_event_type);
  return ev::away{};
}

} // namespace

result<parsed_line> parse_event_line(std::string_view line) {
  json object;
  try {
    object = json::parse(line);
  } catch (const json::parse_error& err) {
    // nlohmann reports syntax errors only by exception; they stop here and become a value.
    return error{errc::invalid_json, err.what()};
  }
  if (!object.is_object())
    return error{errc::invalid_json, "a line must be one JSON object"};
  field_reader in(object);
  parsed_line out;
  out.has_seq = in.has("seq");
  if (out.has_seq) {
    out.ev.seq = in.unsigned_integer("seq");
    if (in.ok() && out.ev.seq == 0)
      in.fail("seq", "must be 1 or more");
  }
  out.ev.ts = in.time("ts", true);
  const std::string type_name = in.string("type");
  if (!in.ok())
    return *in.fault();
  const auto type = ev::parse_event_type(type_name);
  if (!type)
    return error{errc::unknown_event_type, "unknown event type '" + type_name + "'"};
  if (ev::is_user_event(*type)) {
    out.ev.stream = in.user_id("stream");
  } else {
    out.ev.stream = in.string("stream");
    if (in.ok() && out.ev.stream != ev::workspace_stream)
      in.fail("stream", "must be \"$workspace\" for a " + type_name + " event");
  }
  out.ev.by = in.string("by");
  if (in.ok() && !out.ev.by.empty() && !ev::validate_user_id(out.ev.by).ok())
    in.fail("by", "is not a valid user id or \"system\"", errc::invalid_user_id);
  out.ev.via = in.optional_string("via").value_or("");
  out.ev.token_id = in.optional_string("token_id").value_or("");
  out.ev.address = in.optional_string("address").value_or("");
  out.ev.body = read_payload(*type, in);
  in.reject_unknown();
  if (!in.ok())
    return *in.fault();
  return out;
}

} // namespace presence::tools
