#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "presence/events/event.hpp"
#include "presence/events/result.hpp"

namespace presence::tools {

/// One line of an export file after parsing: the event, and whether the line carried `seq`.
struct parsed_line {
  events::event ev;
  bool has_seq = false;
};

/// The export-format object of one event (docs/export-format.md): `seq`, `ts`, `stream`, `type`,
/// `by`, `via`, then the event's own fields, always in that order.
nlohmann::ordered_json to_json(const events::event& ev);

/// `to_json(ev)` as one compact line without the newline. Deterministic: the same event always
/// gives the same bytes, which makes export → import → export byte-identical.
std::string to_json_line(const events::event& ev);

/// The event's own fields (everything after `via`) as `key=value` pairs separated by spaces,
/// strings quoted, for human-readable tables.
std::string describe_fields(const events::event& ev);

/// Parses and validates one export line: JSON syntax, a known `type`, every required field present
/// with the right JSON type and no unknown field, valid user ids (`stream` of user events, `user`
/// fields, a non-empty `by`), known enum names. `seq` may be absent (`has_seq` false). Errors:
/// `invalid_json` for syntax, `invalid_argument` / `invalid_user_id` / `unknown_event_type` with a
/// message naming the field. Sequence continuity is the caller's job.
[[nodiscard]] result<parsed_line> parse_event_line(std::string_view line);

} // namespace presence::tools
