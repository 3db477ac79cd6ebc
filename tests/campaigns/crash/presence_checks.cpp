#include "presence_checks.hpp"

#include <ctime>

#include "api_call.hpp"
#include "tool_runner.hpp"

namespace presence::crash {

namespace {

using nlohmann::json;

/// Unix seconds of an export instant ("2026-11-22T03:10:00.123456Z"); 0 for null.
int64_t unix_seconds(const json& instant) {
  if (!instant.is_string())
    return 0;
  std::tm tm{};
  auto text = instant.get<std::string>();
  if (::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr)
    return -1;
  return static_cast<int64_t>(::timegm(&tm));
}

/// The Slack presence (`active` / `away`) the API shows for a replayed presence value.
std::string slack_presence(const std::string& replayed) {
  return replayed == "online" || replayed == "busy" ? "active" : "away";
}

void compare_user(const presence_probe& probe, test::http_client& http, const known_user& user,
                  presence_audit& audit) {
  auto fault = [&](const std::string& what) {
    if (audit.faults.size() < 20)
      audit.faults.push_back(user.id + ": " + what);
  };
  auto api = call_api(http, "users.getPresence", user.token, "");
  auto profile = call_api(http, "users.profile.get", user.token, "");
  if (api.result != outcome::ok || profile.result != outcome::ok)
    return fault("the API did not answer: " + api.body.dump() + " " + profile.body.dump());
  auto run = run_tool({probe.presencectl, "--db", probe.db, "inspect", user.id, "--json"},
                      probe.scratch);
  auto replay = json::parse(run.out, nullptr, false);
  if (run.exit_code != 0 || !replay.is_object())
    return fault("presencectl inspect failed (" + std::to_string(run.exit_code) + "): " + run.err);
  ++audit.users_checked;
  const auto& got = api.body;
  json want = {{"presence", slack_presence(replay.value("presence", ""))},
               {"online", replay["online"]},
               {"auto_away", replay["auto_away"]},
               {"manual_away", replay["manual_away"]},
               {"connection_count", replay["connection_count"]},
               {"manual_presence", replay["manual"]},
               {"last_activity", unix_seconds(replay["last_activity"])}};
  for (const auto& [key, value] : want.items())
    if (got.value(key, json()) != value)
      fault("API " + key + "=" + got.value(key, json()).dump() + ", replay " + value.dump());
  const auto& status = replay["status"];
  const auto& shown = profile.body["profile"];
  if (shown.value("status_text", "") != status.value("text", "") ||
      shown.value("status_emoji", "") != status.value("emoji", "") ||
      shown.value("status_expiration", int64_t{-1}) != status.value("expiration", int64_t{-2}))
    fault("API status " + shown.dump() + ", replay " + status.dump());
  // No client is connected while the checks run: every connection of the killed run is closed.
  if (replay.value("connection_count", -1) != 0 || !replay["connections"].empty())
    fault("open connections after the restart: " + replay["connections"].dump());
}

} // namespace

presence_audit compare_presence(const presence_probe& probe, const std::vector<known_user>& users) {
  presence_audit audit;
  test::http_client http(probe.host, probe.port);
  for (const auto& user : users)
    compare_user(probe, http, user, audit);
  return audit;
}

} // namespace presence::crash
