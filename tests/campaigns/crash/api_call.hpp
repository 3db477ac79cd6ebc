#pragma once

// One Web API call for the campaign's clients, classified the way the campaign needs it: answered
// ok, refused (an ok:false answer: a fault while the server is up), or no answer (the server is
// gone: the write, if it was one, is in flight).

#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"

namespace presence::crash {

enum class outcome { ok, refused, no_answer };

struct api_answer {
  outcome result = outcome::no_answer;
  nlohmann::json body;  ///< the answer (the raw text as a JSON string when it is not JSON)
  std::string error() const { return body.is_object() ? body.value("error", "?") : body.dump(); }
  /// A cluster node answered `unavailable` (HTTP 503): the node that owns the user (or the
  /// workspace) is down or its link broke. The write may or may not have been made: in flight.
  bool unavailable() const { return result == outcome::refused && error() == "unavailable"; }
};

/// POSTs `method` (under /api/) with a form body or a JSON body, as `token`.
inline api_answer call_api(test::http_client& http, const std::string& method,
                           const std::string& token, const std::string& form,
                           const nlohmann::json* json_body = nullptr) {
  api_answer answer;
  try {
    test::header_list auth{{"Authorization", "Bearer " + token}};
    auto res = json_body != nullptr ? http.post_json("/api/" + method, *json_body, auth)
                                    : http.post_form("/api/" + method, form, auth);
    answer.body = res.json();
    if (answer.body.is_discarded())
      answer.body = res.body;
    bool ok = res.status == 200 && answer.body.is_object() && answer.body.value("ok", false);
    answer.result = ok ? outcome::ok : outcome::refused;
  } catch (const std::exception& e) {
    http.disconnect();
    answer.result = outcome::no_answer;
    answer.body = e.what();
  }
  return answer;
}

} // namespace presence::crash
