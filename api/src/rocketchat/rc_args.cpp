#include "rocketchat/rc_args.hpp"

#include <sstream>

#include "http/request_params.hpp"
#include "presence/events/validation.hpp"

namespace presence::api::rocketchat {

namespace {

http::rc_failure failure(int http_status, const std::string& message, const std::string& type) {
  return {http_status, message + " [" + type + "]", type};
}

std::vector<std::string> split_ids(const std::string& text) {
  std::vector<std::string> ids;
  std::stringstream in{text};
  std::string id;
  while (std::getline(in, id, ','))
    if (!id.empty())
      ids.push_back(id);
  return ids;
}

/// The fields of a custom status: the older `customUserStatusData` wrapper when present, else
/// the request itself (current Rocket.Chat).
const nlohmann::json& status_fields(const nlohmann::json& params) {
  auto data = params.find("customUserStatusData");
  return data != params.end() && data->is_object() ? *data : params;
}

/// A `statusType` field of `from`; nullopt when absent, a 400 when not a presence value.
parsed<std::optional<events::presence_value>> status_type(const nlohmann::json& from) {
  auto text = http::param_string(from, "statusType");
  if (!text)
    return std::optional<events::presence_value>{};
  auto value = preset_presence_from_rc(http::lower(*text));
  if (!value)
    return failure(400, "statusType must be online, away, busy or offline", "error-invalid-status");
  return value;
}

} // namespace

std::optional<events::manual_mode> manual_from_rc(const std::string& status) noexcept {
  if (status == "online")
    return events::manual_mode::automatic;
  if (status == "away")
    return events::manual_mode::away;
  if (status == "busy")
    return events::manual_mode::busy;
  if (status == "offline")
    return events::manual_mode::invisible;
  return std::nullopt;
}

std::optional<events::presence_value> preset_presence_from_rc(const std::string& type) noexcept {
  if (type == "online")
    return events::presence_value::online;
  if (type == "away")
    return events::presence_value::away;
  if (type == "busy")
    return events::presence_value::busy;
  if (type == "offline")
    return events::presence_value::offline;
  return std::nullopt;
}

parsed<std::string> parse_target_user(const nlohmann::json& params, const char* param,
                                      const events::user_record& caller) {
  auto user = http::param_string(params, param);
  if (!user || user->empty() || *user == caller.id)
    return caller.id;
  if (!caller.admin)
    return failure(403, "User does not have the permissions required for this action",
                   "error-not-allowed");
  return *user;
}

parsed<set_status_args> parse_set_status(const nlohmann::json& params,
                                         const events::user_record& caller) {
  auto target = parse_target_user(params, "userId", caller);
  if (auto* err = std::get_if<http::rc_failure>(&target))
    return *err;
  set_status_args args;
  args.user = std::get<std::string>(std::move(target));
  auto status_text = http::param_string(params, "status");
  args.message = http::param_string(params, "message");
  if (!status_text && !args.message)
    return failure(400, "Give status and/or message", "error-invalid-params");
  if (status_text) {
    args.mode = manual_from_rc(*status_text);
    args.preset_type = preset_presence_from_rc(*status_text);
    if (!args.mode)
      return http::to_rc_failure({errc::invalid_presence, *status_text});
  }
  if (args.message)
    if (auto st = events::validate_status_text(*args.message); !st)
      return http::to_rc_failure(st.error());
  return args;
}

std::string parse_get_status_user(const nlohmann::json& params, const events::user_record& caller) {
  auto user = http::param_string(params, "userId").value_or("");
  // Usernames are user ids here: the workspace has no separate username namespace.
  if (user.empty())
    user = http::param_string(params, "username").value_or("");
  return user.empty() ? caller.id : user;
}

parsed<std::vector<std::string>> parse_presence_ids(const nlohmann::json& params,
                                                    std::size_t max_ids) {
  auto ids = split_ids(http::param_string(params, "ids").value_or(""));
  if (ids.empty())
    return failure(400, "ids is required: a comma-separated list of user ids",
                   "error-invalid-params");
  if (ids.size() > max_ids)
    return failure(400, "at most " + std::to_string(max_ids) + " ids", "error-invalid-params");
  return ids;
}

parsed<status_list_args> parse_status_list(const nlohmann::json& params) {
  bool bad_offset = false;
  bool bad_count = false;
  status_list_args args;
  args.name = http::param_string(params, "name").value_or("");
  args.id = http::param_string(params, "_id").value_or("");
  args.offset = http::param_int(params, "offset", &bad_offset).value_or(0);
  args.count = http::param_int(params, "count", &bad_count).value_or(50);
  if (bad_offset || bad_count || args.offset < 0 || args.count < 0)
    return failure(400, "offset and count must be non-negative integers", "error-invalid-params");
  return args;
}

parsed<custom_status_args> parse_status_create(const nlohmann::json& params) {
  const auto& data = status_fields(params);
  auto name = http::param_string(data, "name");
  auto type = status_type(data);
  if (auto* err = std::get_if<http::rc_failure>(&type))
    return *err;
  auto value = std::get<std::optional<events::presence_value>>(type);
  if (!name || !value)
    return failure(400, "name and statusType are required", "error-the-field-is-required");
  return custom_status_args{{}, name, value};
}

parsed<custom_status_args> parse_status_update(const nlohmann::json& params) {
  const auto& data = status_fields(params);
  auto id = http::param_string(data, "_id");
  if (!id || id->empty())
    return failure(400, "_id is required", "error-the-field-is-required");
  auto type = status_type(data);
  if (auto* err = std::get_if<http::rc_failure>(&type))
    return *err;
  return custom_status_args{*id, http::param_string(data, "name"),
                            std::get<std::optional<events::presence_value>>(type)};
}

parsed<std::string> parse_status_delete(const nlohmann::json& params) {
  auto id = http::param_string(params, "customUserStatusId");
  if (!id || id->empty())
    return failure(400, "customUserStatusId is required", "error-invalid-custom-user-status");
  return *id;
}

parsed<http::preference_change> parse_set_preferences(const nlohmann::json& params,
                                                      const events::user_record& caller) {
  auto target = parse_target_user(params, "userId", caller);
  if (auto* err = std::get_if<http::rc_failure>(&target))
    return *err;
  http::preference_change change;
  change.user = std::get<std::string>(std::move(target));
  auto data = params.find("data");
  if (data == params.end() || !data->is_object())
    return failure(400, "data (an object of preferences) is required", "error-invalid-params");
  if (auto away = data->find("enableAutoAway"); away != data->end()) {
    if (!away->is_boolean())
      return failure(400, "enableAutoAway must be true or false", "error-invalid-params");
    change.auto_away = away->get<bool>();
  }
  if (auto limit = data->find("idleTimeLimit"); limit != data->end()) {
    if (!limit->is_number_integer() || !http::valid_user_idle_timeout(limit->get<int64_t>()))
      return failure(400, "idleTimeLimit must be an integer from 30 to 604800 seconds",
                     "error-invalid-params");
    change.idle_timeout = std::chrono::seconds{limit->get<int64_t>()};
  }
  return change;
}

parsed<bool> parse_setting_bool(const nlohmann::json& params) {
  auto value = params.find("value");
  if (value == params.end() || !value->is_boolean())
    return failure(400, "value must be true or false", "error-invalid-params");
  return value->get<bool>();
}

} // namespace presence::api::rocketchat
