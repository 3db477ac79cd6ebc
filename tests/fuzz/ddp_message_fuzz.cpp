// Fuzz target: Rocket.Chat's real-time wire format (api/src/ddp/ddp_protocol.hpp). Arbitrary
// bytes are parsed as a client text frame; what the parse gives must follow Meteor's rules
// (string ids and names, array params, a version only when listed and served), and every server
// message rendered from it (the error echoing it, method results and errors, nosub, pong) must
// be one valid JSON object with the right `msg`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "ddp/ddp_protocol.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace presence::api::ddp;
using nlohmann::json;

/// Parses a rendered message: must be a JSON object whose `msg` is `msg`.
json parse_message(const std::string& text, const char* msg) {
  json parsed = json::parse(text, nullptr, false);
  FUZZ_CHECK(!parsed.is_discarded());
  FUZZ_CHECK(parsed.is_object());
  FUZZ_CHECK(parsed.value("msg", std::string{}) == msg);
  return parsed;
}

void check_message(const client_message& msg) {
  if (const auto* method = std::get_if<method_message>(&msg)) {
    FUZZ_CHECK(method->params.is_array());
    auto error = meteor_error(404, "Method '" + method->method + "' not found",
                              {{"method", method->method}});
    auto answer = parse_message(render_result_error(method->id, error), "result");
    FUZZ_CHECK(answer.at("id") == method->id);
    FUZZ_CHECK(answer.at("error").at("errorType") == "Meteor.Error");
    parse_message(render_result(method->id, method->params), "result");
    parse_message(render_updated(method->id), "updated");
  } else if (const auto* sub = std::get_if<sub_message>(&msg)) {
    FUZZ_CHECK(sub->params.is_array());
    auto nosub = parse_message(render_nosub(sub->id, meteor_error("not-allowed", sub->name)),
                               "nosub");
    FUZZ_CHECK(nosub.at("id") == sub->id);
    parse_message(render_ready(sub->id), "ready");
  } else if (const auto* unsub = std::get_if<unsub_message>(&msg)) {
    FUZZ_CHECK(parse_message(render_nosub(unsub->id), "nosub").at("id") == unsub->id);
  } else if (const auto* ping = std::get_if<ping_message>(&msg)) {
    auto pong = parse_message(render_pong(ping->id), "pong");
    FUZZ_CHECK(pong.contains("id") == !ping->id.is_null());
  } else if (const auto* connect = std::get_if<connect_message>(&msg)) {
    auto version = negotiate(*connect);
    if (!version.empty()) {
      FUZZ_CHECK(version == "1" || version == "pre2" || version == "pre1");
      FUZZ_CHECK(connect->version == version);
    }
  } else if (const auto* bad = std::get_if<bad_message>(&msg)) {
    FUZZ_CHECK(!bad->reason.empty());
    auto error = parse_message(render_error(bad->reason, bad->offending), "error");
    FUZZ_CHECK(error.contains("offendingMessage") == !bad->offending.is_null());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_message(parse_client_message(text));
  // Client-chosen text inside a server message stays valid JSON whatever the bytes.
  parse_message(render_error(text, json(text)), "error");
  parse_message(render_result_error(text, meteor_error(text, text)), "result");
  return 0;
}
