// Fuzz target: the HTTP request mapping (api/src/http/request_params.hpp) and the Slack and
// Rocket.Chat argument mapping (api/src/slack/slack_args.hpp, api/src/rocketchat/rc_args.hpp).
// Input: "CONTENT_TYPE\nQUERY\nBODY" (missing parts are empty). The parameters are collected as
// the server does, then every method's argument parser runs on them for an admin and a regular
// caller. Whatever a parser accepts must satisfy the method's contract (validated text, ids,
// times not in the past…); whatever it refuses must use a documented code; nothing may throw.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "http/request_params.hpp"
#include "presence/events/validation.hpp"
#include "presence/events/workspace_state.hpp"
#include "rocketchat/rc_args.hpp"
#include "slack/slack_args.hpp"

namespace {

using namespace presence;
using namespace presence::api;
using nlohmann::json;

constexpr events::timestamp_us now_us = 1'700'000'000'000'000;
constexpr std::size_t max_query_ids = 500;

/// The next line of `rest` (without its '\n'), consumed; everything when there is no '\n'.
std::string_view take_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return line;
}

void check_percent_round_trip(std::string_view text) {
  const std::string encoded = http::percent_encode(text);
  for (bool plus_as_space : {true, false}) {
    auto decoded = http::percent_decode(encoded, plus_as_space);
    FUZZ_CHECK(decoded && *decoded == text);
  }
}

/// Form-only parameters (all strings) survive being encoded again and parsed back.
void check_form_round_trip(const json& params) {
  std::string form;
  for (const auto& [key, value] : params.items()) {
    // Only form-shaped parameters: string values under non-empty names (JSON allows others).
    if (!value.is_string() || key.empty())
      return;
    form += (form.empty() ? "" : "&") + http::percent_encode(key) + "=" +
            http::percent_encode(value.get<std::string>());
  }
  auto again = json::object();
  FUZZ_CHECK(http::parse_urlencoded(form, again).ok());
  FUZZ_CHECK(again == params);
}

/// The typed readers never throw and keep their ranges, whatever each parameter holds.
void check_readers(const json& params) {
  for (const auto& item : params.items()) {
    const std::string key = item.key();
    // The readers take C-string names (the methods pass literals): a name with NUL is unreachable.
    if (key.find('\0') != std::string::npos)
      continue;
    bool malformed = false;
    auto text = http::param_string(params, key.c_str());
    FUZZ_CHECK(text.has_value() == (item.value().is_primitive() && !item.value().is_null()));
    (void)http::param_int(params, key.c_str(), &malformed);
    auto us = http::param_unix_us(params, key.c_str(), &malformed);
    FUZZ_CHECK(!(us && malformed));
    if (us)
      FUZZ_CHECK(*us >= 0 && *us <= (int64_t{1} << 40) * 1'000'000);
    (void)http::param_bool(params, key.c_str(), false, &malformed);
    (void)http::valid_param_name(key);
  }
  FUZZ_CHECK(!json::parse(http::dump_json(params), nullptr, false).is_discarded());
}

// --- Slack ------------------------------------------------------------------------------

bool documented_slack_code(const std::string& code) {
  for (const char* known : {"invalid_arguments", "invalid_presence", "invalid_profile", "too_long",
                            "expiration_in_past", "not_admin", "user_not_found",
                            "not_allowed_token_type"})
    if (code == known)
      return true;
  return false;
}

/// The accepted value of `p`, or nullopt after checking the refusal's code.
template <class T>
std::optional<T> slack_accepted(slack::parsed<T> p) {
  if (const auto* err = std::get_if<slack::arg_error>(&p)) {
    FUZZ_CHECK(documented_slack_code(err->code));
    return std::nullopt;
  }
  return std::get<T>(std::move(p));
}

void check_target(const std::string& user, const events::user_record& caller) {
  FUZZ_CHECK(!user.empty());
  FUZZ_CHECK(caller.admin || user == caller.id);
}

void check_slack(const json& params, const events::user_record& caller) {
  if (auto args = slack_accepted(slack::parse_set_presence(params, caller, now_us))) {
    check_target(args->user, caller);
    FUZZ_CHECK(!args->until || (events::to_timestamp(*args->until) > now_us &&
                                args->mode != events::manual_mode::automatic));
    // A bot is away or auto, never busy or invisible.
    FUZZ_CHECK(!caller.bot || args->mode == events::manual_mode::away ||
               args->mode == events::manual_mode::automatic);
  }
  if (auto args = slack_accepted(slack::parse_get_presence(params, caller, now_us))) {
    FUZZ_CHECK(!args->user.empty());
    FUZZ_CHECK(!args->at ||
               (events::to_timestamp(*args->at) >= 0 && events::to_timestamp(*args->at) <= now_us));
  }
  if (auto args = slack_accepted(slack::parse_profile_set(params, caller, now_us))) {
    FUZZ_CHECK(!caller.bot);  // a bot has no profile
    check_target(args->user, caller);
    const auto& update = args->update;
    FUZZ_CHECK(!update.text || events::validate_status_text(*update.text).ok());
    FUZZ_CHECK(!update.emoji || events::validate_emoji(*update.emoji).ok());
    FUZZ_CHECK(!update.expiration || events::validate_expiration(*update.expiration, now_us).ok());
  }
  FUZZ_CHECK(!slack::user_or_caller(params, caller).empty());
  (void)slack_accepted(slack::parse_rtm_connect(params));
  if (auto user = slack_accepted(slack::parse_required(params, "user")))
    FUZZ_CHECK(!user->empty());
  if (auto args = slack_accepted(slack::parse_create_user(params)))
    FUZZ_CHECK(!args->id.empty());
  if (auto changes = slack_accepted(slack::parse_settings_set(params))) {
    // The engine validates each change with set_setting: refused ones leave settings unchanged.
    events::workspace_settings settings;
    for (const auto& [key, value] : *changes) {
      const auto before = settings;
      auto st = events::set_setting(settings, key, value);
      FUZZ_CHECK(st.ok() || (st.error().code == errc::invalid_setting && settings == before));
    }
  }
  if (auto args = slack_accepted(slack::parse_preset_create(params)))
    FUZZ_CHECK(args->name && args->presence && *args->presence != events::presence_value::disabled);
  if (auto args = slack_accepted(slack::parse_preset_update(params)))
    FUZZ_CHECK(!args->id.empty() &&
               (!args->presence || *args->presence != events::presence_value::disabled));
}

// --- Rocket.Chat ------------------------------------------------------------------------

/// The accepted value of `p`, or nullopt after checking the failure's shape.
template <class T>
std::optional<T> rc_accepted(rocketchat::parsed<T> p) {
  if (const auto* failure = std::get_if<http::rc_failure>(&p)) {
    FUZZ_CHECK(failure->http_status == 400 || failure->http_status == 403);
    const std::string suffix = " [" + failure->error_type + "]";
    FUZZ_CHECK(
      !failure->error_type.empty() && failure->error.size() > suffix.size() &&
      failure->error.compare(failure->error.size() - suffix.size(), suffix.size(), suffix) == 0);
    return std::nullopt;
  }
  return std::get<T>(std::move(p));
}

void check_rocketchat(const json& params, const events::user_record& caller) {
  if (auto args = rc_accepted(rocketchat::parse_set_status(params, caller))) {
    check_target(args->user, caller);
    FUZZ_CHECK(args->mode || args->message);
    FUZZ_CHECK(!args->message || events::validate_status_text(*args->message).ok());
  }
  FUZZ_CHECK(!rocketchat::parse_get_status_user(params, caller).empty());
  if (auto ids = rc_accepted(rocketchat::parse_presence_ids(params, max_query_ids))) {
    FUZZ_CHECK(!ids->empty() && ids->size() <= max_query_ids);
    for (const auto& id : *ids)
      FUZZ_CHECK(!id.empty() && id.find(',') == std::string::npos);
  }
  if (auto args = rc_accepted(rocketchat::parse_status_list(params)))
    FUZZ_CHECK(args->offset >= 0 && args->count >= 0);
  if (auto args = rc_accepted(rocketchat::parse_status_create(params)))
    FUZZ_CHECK(args->name && args->type && *args->type != events::presence_value::disabled);
  if (auto args = rc_accepted(rocketchat::parse_status_update(params)))
    FUZZ_CHECK(!args->id.empty());
  if (auto id = rc_accepted(rocketchat::parse_status_delete(params)))
    FUZZ_CHECK(!id->empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const auto content_type = take_line(rest);
  const auto query = take_line(rest);
  const auto body = rest;

  check_percent_round_trip(query);
  check_percent_round_trip(body);
  auto params = http::collect_params(query, content_type, body);
  if (!params.ok()) {
    FUZZ_CHECK(params.error().code == errc::invalid_argument ||
               params.error().code == errc::invalid_json);
    return 0;
  }
  FUZZ_CHECK(params->is_object());
  check_form_round_trip(*params);
  check_readers(*params);
  for (const auto& caller : {events::user_record{"admin", "Admin", true, true, 1},
                             events::user_record{"alice", "Alice", false, true, 2},
                             events::user_record{"robo", "Robo", false, true, 3, true}}) {
    check_slack(*params, caller);
    check_rocketchat(*params, caller);
  }
  return 0;
}
