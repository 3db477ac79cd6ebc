#include "slack/slack_args.hpp"

#include <cstdio>

#include "bounded_json.hpp"
#include "http/error_mapping.hpp"
#include "http/request_params.hpp"
#include "presence/events/validation.hpp"

namespace presence::api::slack {

namespace {

arg_error invalid_arguments(std::string detail) {
  return {"invalid_arguments", std::move(detail)};
}

/// `name` as Unix seconds (fractions allowed) in µs; invalid_arguments when present but malformed.
parsed<std::optional<int64_t>> unix_seconds(const nlohmann::json& params, const char* name) {
  bool malformed = false;
  auto us = http::param_unix_us(params, name, &malformed);
  if (malformed)
    return invalid_arguments(std::string(name) + " must be Unix seconds");
  return us;
}

/// Reads one profile field into `update`; false (with `why`) when its value has the wrong type.
bool read_field(const std::string& name, const nlohmann::json& value, status_update& update,
                std::string& why) {
  if (name == "status_text" || name == "status_emoji") {
    if (!value.is_string() && !value.is_null()) {
      why = name + " must be a string";
      return false;
    }
    auto text = value.is_null() ? std::string{} : value.get<std::string>();
    (name == "status_text" ? update.text : update.emoji) = std::move(text);
  } else if (name == "status_expiration") {
    bool malformed = false;
    auto wrapped = nlohmann::json{{"v", value}};
    auto seconds = http::param_int(wrapped, "v", &malformed);
    if (malformed || (seconds && *seconds < 0)) {
      why = "status_expiration must be Unix seconds";
      return false;
    }
    update.expiration = seconds.value_or(0);
  }
  // Any other profile field (real_name, title…) is not ours to store: accepted, ignored.
  return true;
}

/// The update named by `profile` (object or JSON text) or by `name` + `value`.
parsed<status_update> read_update(const nlohmann::json& params) {
  status_update update;
  std::string why;
  auto it = params.find("profile");
  if (it != params.end() && !it->is_null()) {
    // JSON text (form bodies) is parsed here; an object from a JSON body is used in place.
    nlohmann::json parsed_text;
    if (it->is_string()) {
      bool too_deep = false;
      parsed_text = parse_client_json(it->get_ref<const std::string&>(), &too_deep);
      if (parsed_text.is_discarded())
        return arg_error{"invalid_profile",
                         too_deep ? "profile nests deeper than " + std::to_string(max_json_depth) +
                                      " levels"
                                  : "profile is not valid JSON (URL-encode it in form bodies)"};
    }
    const auto& profile = it->is_string() ? parsed_text : *it;
    if (!profile.is_object())
      return arg_error{"invalid_profile", "profile must be a JSON object"};
    for (const auto& [name, value] : profile.items())
      if (!read_field(name, value, update, why))
        return arg_error{"invalid_profile", why};
    return update;
  }
  auto name = http::param_string(params, "name");
  if (!name)
    return arg_error{"invalid_profile", "give profile, or name and value"};
  auto value_it = params.find("value");
  auto value = value_it != params.end() ? *value_it : nlohmann::json("");
  if (!read_field(*name, value, update, why))
    return arg_error{"invalid_profile", why};
  return update;
}

/// The named fields checked with the domain's rules, answered as the engine's errors would be.
std::optional<arg_error> validate(const status_update& update, events::timestamp_us now_us) {
  status st;
  if (update.text)
    st = events::validate_status_text(*update.text);
  if (st.ok() && update.emoji)
    st = events::validate_emoji(*update.emoji);
  if (st.ok() && update.expiration)
    st = events::validate_expiration(*update.expiration, now_us);
  if (st.ok())
    return std::nullopt;
  return arg_error{http::slack_error(st.error().code), st.error().message};
}

/// The `presence` parameter of the preset methods (online, away, busy, offline).
parsed<std::optional<events::presence_value>> preset_presence(const nlohmann::json& params) {
  auto text = http::param_string(params, "presence");
  if (!text)
    return std::optional<events::presence_value>{};
  auto value = events::parse_presence_value(*text);
  if (!value || *value == events::presence_value::disabled)
    return arg_error{"invalid_presence", "presence must be online, away, busy or offline"};
  return value;
}

} // namespace

parsed<std::string> parse_target_user(const nlohmann::json& params,
                                      const events::user_record& caller) {
  auto user = http::param_string(params, "user");
  if (!user || user->empty() || *user == caller.id)
    return caller.id;
  if (!caller.admin)
    return arg_error{"not_admin", "only admins may act on another user"};
  return *user;
}

parsed<set_presence_args> parse_set_presence(const nlohmann::json& params,
                                             const events::user_record& caller,
                                             events::timestamp_us now_us) {
  auto target = parse_target_user(params, caller);
  if (auto* err = std::get_if<arg_error>(&target))
    return *err;
  auto presence = http::param_string(params, "presence");
  if (!presence)
    return arg_error{"invalid_presence", "presence is required: auto, away, busy or invisible"};
  auto mode = events::parse_manual_mode(*presence);
  if (!mode)
    return arg_error{"invalid_presence", "presence must be auto, away, busy or invisible"};
  // A bot is active while connected or away: it may only choose away or automatic.
  if (caller.bot && *mode != events::manual_mode::away && *mode != events::manual_mode::automatic)
    return arg_error{"invalid_presence", "a bot's presence is auto or away"};
  auto until = unix_seconds(params, "expiration");
  if (auto* err = std::get_if<arg_error>(&until))
    return *err;
  const auto until_us = std::get<std::optional<int64_t>>(until).value_or(0);
  if (until_us != 0) {
    if (*mode == events::manual_mode::automatic)
      return invalid_arguments("expiration applies to away, busy and invisible only");
    if (until_us <= now_us)
      return arg_error{"expiration_in_past", {}};
  }
  return set_presence_args{std::get<std::string>(std::move(target)), *mode,
                           events::instant_or_none(until_us)};
}

parsed<get_presence_args> parse_get_presence(const nlohmann::json& params,
                                             const events::user_record& caller,
                                             events::timestamp_us now_us) {
  auto at = unix_seconds(params, "at");
  if (auto* err = std::get_if<arg_error>(&at))
    return *err;
  auto at_us = std::get<std::optional<int64_t>>(at);
  if (at_us && *at_us > now_us)
    return invalid_arguments("at must not be in the future");
  std::optional<events::instant> at_instant;
  if (at_us)
    at_instant = events::to_instant(*at_us);
  return get_presence_args{user_or_caller(params, caller), at_instant};
}

parsed<profile_set_args> parse_profile_set(const nlohmann::json& params,
                                           const events::user_record& caller,
                                           events::timestamp_us now_us) {
  if (caller.bot) // bots have no profile and no status
    return arg_error{"not_allowed_token_type", "a bot token cannot set a profile"};
  auto target = parse_target_user(params, caller);
  if (auto* err = std::get_if<arg_error>(&target))
    return *err;
  auto preset = http::param_string(params, "preset");
  if (preset && !preset->empty()) {
    if (params.contains("profile") || params.contains("name"))
      return invalid_arguments("preset cannot be combined with status fields");
    return profile_set_args{std::get<std::string>(std::move(target)), {}, std::move(preset)};
  }
  auto update = read_update(params);
  if (auto* err = std::get_if<arg_error>(&update))
    return *err;
  if (auto err = validate(std::get<status_update>(update), now_us))
    return *err;
  return profile_set_args{std::get<std::string>(std::move(target)),
                          std::get<status_update>(std::move(update)), std::nullopt};
}

std::string user_or_caller(const nlohmann::json& params, const events::user_record& caller) {
  auto user = http::param_string(params, "user").value_or("");
  return user.empty() ? caller.id : user;
}

parsed<rtm_connect_args> parse_rtm_connect(const nlohmann::json& params) {
  bool malformed = false;
  rtm_connect_args args;
  args.batch_presence_aware = http::param_bool(params, "batch_presence_aware", true, &malformed);
  if (malformed)
    return invalid_arguments("batch_presence_aware must be 0 or 1");
  args.client = http::param_client_kind(params, &malformed);
  if (malformed)
    return invalid_arguments("client must be web, desktop or mobile");
  return args;
}

parsed<std::string> parse_required(const nlohmann::json& params, const char* name) {
  auto value = http::param_string(params, name);
  if (!value || value->empty())
    return invalid_arguments(std::string(name) + " is required");
  return *value;
}

parsed<create_user_args> parse_create_user(const nlohmann::json& params) {
  auto id = parse_required(params, "id");
  if (auto* err = std::get_if<arg_error>(&id))
    return *err;
  create_user_args args;
  args.id = std::get<std::string>(std::move(id));
  args.name = http::param_string(params, "name").value_or(args.id);
  bool malformed = false;
  args.admin = http::param_bool(params, "admin", false, &malformed);
  if (malformed)
    return invalid_arguments("admin must be true or false");
  args.bot = http::param_bool(params, "is_bot", false, &malformed);
  if (malformed)
    return invalid_arguments("is_bot must be true or false");
  return args;
}

parsed<always_active_args> parse_set_always_active(const nlohmann::json& params) {
  auto user = parse_required(params, "user");
  if (auto* err = std::get_if<arg_error>(&user))
    return *err;
  if (auto it = params.find("always_active"); it == params.end() || it->is_null())
    return invalid_arguments("always_active is required (true or false)");
  bool malformed = false;
  always_active_args args{std::get<std::string>(std::move(user)), false};
  args.always_active = http::param_bool(params, "always_active", false, &malformed);
  if (malformed)
    return invalid_arguments("always_active must be true or false");
  return args;
}

parsed<setting_changes> parse_settings_set(const nlohmann::json& params) {
  setting_changes changes;
  auto it = params.find("settings");
  if (it != params.end()) {
    auto settings = it->is_string() ? parse_client_json(it->get_ref<const std::string&>()) : *it;
    if (!settings.is_object())
      return invalid_arguments("settings must be a JSON object of key to value");
    for (const auto& [key, value] : settings.items())
      changes.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    return changes;
  }
  auto key = parse_required(params, "key");
  if (auto* err = std::get_if<arg_error>(&key))
    return *err;
  auto value = http::param_string(params, "value");
  if (!value)
    return invalid_arguments("value is required");
  changes.emplace_back(std::get<std::string>(std::move(key)), *value);
  return changes;
}

parsed<preset_args> parse_preset_create(const nlohmann::json& params) {
  auto name = http::param_string(params, "name");
  auto presence = preset_presence(params);
  if (auto* err = std::get_if<arg_error>(&presence))
    return *err;
  auto value = std::get<std::optional<events::presence_value>>(presence);
  if (!name || !value)
    return invalid_arguments("name and presence are required");
  return preset_args{{}, name, value};
}

parsed<preset_args> parse_preset_update(const nlohmann::json& params) {
  auto id = http::param_string(params, "id");
  if (!id || id->empty())
    return invalid_arguments("id is required");
  auto presence = preset_presence(params);
  if (auto* err = std::get_if<arg_error>(&presence))
    return *err;
  return preset_args{*id, http::param_string(params, "name"),
                     std::get<std::optional<events::presence_value>>(presence)};
}

std::string users_list_cursor(const std::string& last_id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : "user:" + last_id) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

parsed<users_list_args> parse_users_list(const nlohmann::json& params) {
  users_list_args args;
  bool malformed = false;
  if (auto cursor = http::param_string(params, "cursor"); cursor && !cursor->empty()) {
    // The hex of "user:<last id>" (users_list_cursor); anything else is not ours.
    std::string text;
    auto nibble = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    for (std::size_t i = 0; i + 1 < cursor->size() && cursor->size() % 2 == 0; i += 2) {
      int high = nibble((*cursor)[i]);
      int low = nibble((*cursor)[i + 1]);
      if (high < 0 || low < 0)
        break;
      text += static_cast<char>(high * 16 + low);
    }
    if (text.size() * 2 != cursor->size() || text.rfind("user:", 0) != 0 || text.size() == 5)
      return arg_error{"invalid_cursor", "cursor is not one users.list gave"};
    args.after = text.substr(5);
  }
  if (auto limit = http::param_int(params, "limit", &malformed); limit && *limit != 0) {
    if (*limit < 1 || *limit > 1000)
      return arg_error{"invalid_limit", "limit must be 1..1000"};
    args.limit = static_cast<std::size_t>(*limit);
  }
  if (malformed)
    return arg_error{"invalid_limit", "limit must be 1..1000"};
  args.include_presence = http::param_bool(params, "include_presence", false, &malformed);
  if (malformed)
    return invalid_arguments("include_presence must be true or false");
  return args;
}

parsed<report_args> parse_report(const nlohmann::json& params) {
  auto user = parse_required(params, "user");
  if (auto* err = std::get_if<arg_error>(&user))
    return *err;
  report_args args;
  args.user = std::get<std::string>(std::move(user));
  args.day = http::param_string(params, "day").value_or("");
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  char tail = 0;
  if (args.day.size() != 10 ||
      std::sscanf(args.day.c_str(), "%4d-%2u-%2u%c", &year, &month, &day, &tail) != 3 ||
      year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
    return invalid_arguments("day must be a date YYYY-MM-DD");
  // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = y / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  constexpr int64_t micros_per_day = 86'400'000'000;
  args.start = days * micros_per_day;
  args.end = args.start + micros_per_day;
  return args;
}

parsed<http::preference_change> parse_prefs_set(const nlohmann::json& params,
                                                const events::user_record& caller) {
  auto target = parse_target_user(params, caller);
  if (auto* err = std::get_if<arg_error>(&target))
    return *err;
  http::preference_change change;
  change.user = std::get<std::string>(std::move(target));
  bool malformed = false;
  if (params.contains("auto_away")) {
    change.auto_away = http::param_bool(params, "auto_away", true, &malformed);
    if (malformed)
      return invalid_arguments("auto_away must be true or false");
  }
  if (auto seconds = http::param_int(params, "idle_timeout", &malformed); seconds) {
    if (*seconds != 0 && !http::valid_user_idle_timeout(*seconds))
      return invalid_arguments("idle_timeout must be 30..604800 seconds, or 0 for the workspace "
                               "default");
    change.idle_timeout = std::chrono::seconds{*seconds};
  } else if (malformed) {
    return invalid_arguments("idle_timeout must be an integer number of seconds");
  }
  if (!change.auto_away && !change.idle_timeout)
    return invalid_arguments("give auto_away and/or idle_timeout");
  return change;
}

} // namespace presence::api::slack
