#pragma once

// JSON from clients (request bodies, JSON text inside parameters, WebSocket frames), parsed with
// a bound on nesting. nlohmann's parser is iterative, but copying and printing a value recurse
// once per level: 200 KB of `[` copied on an event-loop thread overflowed its stack and killed
// the server. Every client JSON the gateway parses goes through `parse_client_json`.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace presence::api {

/// The deepest nesting of arrays and objects accepted in client JSON. Slack and Rocket.Chat
/// payloads nest two or three levels.
inline constexpr std::size_t max_json_depth = 64;

/// True when arrays and objects in `text` (outside strings) nest deeper than `max_depth`. A
/// linear scan with no allocation, so it can run before the parser.
bool nests_deeper_than(std::string_view text, std::size_t max_depth) noexcept;

/// Parses `text` as JSON without throwing. A discarded value (`is_discarded()`) when `text` is
/// not JSON (invalid UTF-8 included) or nests deeper than `max_json_depth`; `*too_deep`, when
/// given, tells the second case apart.
nlohmann::json parse_client_json(std::string_view text, bool* too_deep = nullptr);

} // namespace presence::api
