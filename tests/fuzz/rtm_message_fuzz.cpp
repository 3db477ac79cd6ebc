// Fuzz target: the real-time API's wire format (api/src/rtm/rtm_protocol.hpp). Arbitrary bytes
// are parsed as a client text frame; the parse must respect the protocol's limits and rules, and
// every server frame rendered from what it gave (pong, error, presence answers, status changes,
// with the raw bytes as text where the protocol carries text) must be one valid JSON object.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "presence/events/validation.hpp"
#include "rtm/rtm_protocol.hpp"

namespace {

using namespace presence;
using namespace presence::api::rtm;
using nlohmann::json;

/// presence_query's bound in Slack, and a small presence_sub bound so too_many_ids is reachable.
constexpr std::size_t max_query_ids = 500;
constexpr std::size_t max_sub_ids = 4;

/// Parses a rendered frame: must be a JSON object whose `type` is `type`.
json parse_frame(const std::string& frame, const char* type) {
  json parsed = json::parse(frame, nullptr, false);
  FUZZ_CHECK(!parsed.is_discarded());
  FUZZ_CHECK(parsed.is_object());
  FUZZ_CHECK(parsed.value("type", std::string{}) == type);
  return parsed;
}

void check_ids(const std::vector<std::string>& ids, std::size_t max) {
  FUZZ_CHECK(ids.size() <= max);
  std::unordered_set<std::string> seen;
  for (const auto& id : ids) {
    FUZZ_CHECK(events::validate_user_id(id).ok());
    FUZZ_CHECK(seen.insert(id).second);
  }
}

/// Renders the answer to `ids` (values cycling through all five) both ways and checks that every
/// user appears exactly once with its value.
void check_presence_answer(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, events::presence_value>> presences;
  for (std::size_t i = 0; i < ids.size(); ++i)
    presences.emplace_back(ids[i], static_cast<events::presence_value>(i % 5));
  for (bool batched : {true, false}) {
    std::size_t users = 0;
    for (const auto& frame : render_presence_answer(presences, batched)) {
      auto parsed = parse_frame(frame, "presence_change");
      FUZZ_CHECK(parsed.contains("presence") && parsed.contains("presence_detail"));
      users += batched ? parsed.at("users").size() : 1;
    }
    FUZZ_CHECK(users == ids.size());
  }
}

void check_reply_to(const json& frame, const json& reply_to) {
  if (reply_to.is_null())
    FUZZ_CHECK(!frame.contains("reply_to"));
  else
    FUZZ_CHECK(frame.contains("reply_to") && !frame.at("reply_to").is_structured());
}

void check_message(const client_message& msg, std::size_t max_sub) {
  if (const auto* sub = std::get_if<presence_sub_message>(&msg)) {
    check_ids(sub->ids, max_sub);
    FUZZ_CHECK(!sub->reply_to.is_structured());
    check_presence_answer(sub->ids);
  } else if (const auto* query = std::get_if<presence_query_message>(&msg)) {
    check_ids(query->ids, max_query_ids);
    FUZZ_CHECK(!query->reply_to.is_structured());
    check_presence_answer(query->ids);
  } else if (const auto* ping = std::get_if<ping_message>(&msg)) {
    FUZZ_CHECK(ping->frame.is_object());
    auto pong = parse_frame(render_pong(ping->frame), "pong");
    FUZZ_CHECK(!pong.contains("id"));
    FUZZ_CHECK(pong.contains("reply_to") == ping->frame.contains("id"));
  } else if (const auto* bad = std::get_if<bad_message>(&msg)) {
    FUZZ_CHECK(!bad->detail.empty());
    FUZZ_CHECK(!bad->reply_to.is_structured());
    auto frame = parse_frame(render_error(bad->code, bad->detail, bad->reply_to), "error");
    FUZZ_CHECK(frame.at("error").at("code") == static_cast<int>(bad->code));
    FUZZ_CHECK(frame.at("error").at("msg") == to_string(bad->code));
    check_reply_to(frame, bad->reply_to);
  }
}

/// The server frames that carry client-chosen text must stay valid JSON whatever the bytes.
void check_text_frames(const std::string& text) {
  parse_frame(render_error(protocol_error::server_error, text, text), "error");
  parse_frame(render_user_status_changed(text, {text, text, 1'700'000'000}), "user_status_changed");
  notification note;
  note.type = notification::kind::user_status_changed;
  note.users = {text};
  note.status = {text, text, 0};
  for (const auto& frame : render_notification(note, true))
    parse_frame(frame, "user_status_changed");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto msg = parse_client_message(text, max_query_ids, max_sub_ids);
  check_message(msg, max_sub_ids);
  // The same frame with room for more subscriptions: only a too_many_ids verdict may change.
  auto roomy = parse_client_message(text, max_query_ids, max_query_ids);
  check_message(roomy, max_query_ids);
  FUZZ_CHECK(msg.index() == roomy.index() ||
             (std::holds_alternative<bad_message>(msg) &&
              std::get<bad_message>(msg).code == protocol_error::too_many_ids));
  check_text_frames(text);
  return 0;
}
