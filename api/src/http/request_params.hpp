#pragma once

// Request parameters from the query string and the body (form-encoded or JSON), as one JSON
// object. Pure functions: no I/O, no state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "presence/events/result.hpp"

namespace presence::api::http {

/// `text` with ASCII letters lowercased.
std::string lower(std::string_view text);

/// Decodes `%XX` escapes (and `+` as a space when `plus_as_space`). nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

/// Encodes everything but unreserved characters (RFC 3986) as `%XX`.
std::string percent_encode(std::string_view text);

/// Parses `a=1&b=x%20y` into `into` (string values; a repeated key keeps the last value; a key
/// without `=` gets ""). Error: `invalid_argument` for a malformed escape or an empty key.
status parse_urlencoded(std::string_view text, nlohmann::json& into);

/// The parameters of a request: the query string, then the body on top (body values win). A
/// query parameter named `ignored_in_query` (when not empty) is left out, as if absent.
/// `application/json` bodies must be a JSON object nested at most `max_json_depth` levels
/// (error `invalid_json`); form bodies
/// (`application/x-www-form-urlencoded`, or no content type) give string values (error
/// `invalid_argument`); other content types with a non-empty body are `invalid_argument` too.
result<nlohmann::json> collect_params(std::string_view query, std::string_view content_type,
                                      std::string_view body,
                                      std::string_view ignored_in_query = {});

/// True for parameter names made of `[A-Za-z0-9_]` (1..64 characters), as Slack's are.
bool valid_param_name(std::string_view name) noexcept;

/// A parameter as a string: strings as they are, numbers and booleans printed; nullopt when
/// missing or null; objects and arrays give nullopt.
std::optional<std::string> param_string(const nlohmann::json& params, const char* name);

/// A parameter as an integer: JSON integers, or strings of an optional '-' and digits. A missing
/// parameter is nullopt with `*malformed` false; a present one that is not an integer is nullopt
/// with `*malformed` true.
std::optional<int64_t> param_int(const nlohmann::json& params, const char* name, bool* malformed);

/// A parameter holding Unix seconds (an integer or a decimal like "1700000000.25", as a JSON
/// number or a string), converted to µs. Missing: nullopt, `*malformed` false; not a number, or
/// outside [0, 2^40] seconds: nullopt, `*malformed` true.
std::optional<int64_t> param_unix_us(const nlohmann::json& params, const char* name,
                                     bool* malformed);

/// A parameter as a boolean: true/false, 1/0, "true"/"false"/"1"/"0"/"yes"/"no" (any case).
/// Missing gives `fallback`; anything else sets `*malformed`.
bool param_bool(const nlohmann::json& params, const char* name, bool fallback, bool* malformed);

/// The client kind a real-time connection declares with `client` (`web`, `desktop`, `mobile`;
/// `rtm` when absent or empty): the kind the engine records on connect, which picks the idle
/// rule (`mobile_idle_timeout`). Sets `*malformed` for any other value (and returns `rtm`).
std::string param_client_kind(const nlohmann::json& params, bool* malformed);

/// Serialises `value` compactly; invalid UTF-8 in strings is replaced, never thrown.
std::string dump_json(const nlohmann::json& value);

} // namespace presence::api::http
