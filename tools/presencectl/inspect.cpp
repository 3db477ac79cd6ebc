// `presencectl inspect USER [--at TIME] [--json]`: a user's state at an instant, from the log.
#include <iomanip>
#include <optional>
#include <ostream>

#include "commands.hpp"
#include "database.hpp"
#include "presence/events/presence.hpp"
#include "presence/storage/recovery.hpp"
#include "time_format.hpp"
#include "event_json.hpp"

namespace presence::tools {

namespace {

namespace ev = presence::events;
using nlohmann::ordered_json;

/// RFC 3339 text for a set instant, JSON null for 0 ("never" / "none").
ordered_json optional_time(ev::timestamp_us ts) {
  return ts == 0 ? ordered_json(nullptr) : ordered_json(format_time(ts));
}

struct inspection {
  std::string user;
  ev::timestamp_us at = 0;
  ev::user_state state;
  ev::presence_context ctx;
  ev::presence_view view;
  bool bot = false;            ///< the workspace's record at `at`
  bool always_active = false;  ///< a bot's flag at `at`
  std::optional<ev::event> last_event;  ///< the event at `state.last_seq`: who changed it last
};

/// Who, through what, with which token and from where: the audit fields of `event`.
ordered_json audit_json(const ev::event& event) {
  return {{"seq", event.seq},
          {"ts", format_time(event.ts)},
          {"type", std::string(ev::to_string(ev::type_of(event.body)))},
          {"by", event.by},
          {"via", event.via},
          {"token_id", event.token_id},
          {"address", event.address}};
}

ordered_json to_json(const inspection& in) {
  ordered_json out = ordered_json::object();
  out["user"] = in.user;
  out["at"] = format_time(in.at);
  out["presence"] = std::string(ev::to_string(in.view.presence));
  out["online"] = in.view.online;
  out["auto_away"] = in.view.auto_away;
  out["manual_away"] = in.view.manual_away;
  out["manual"] = std::string(ev::to_string(in.view.manual));
  out["manual_until"] = in.view.manual == ev::manual_mode::automatic
                          ? ordered_json(nullptr)
                          : optional_time(in.state.manual_until);
  out["connection_count"] = in.view.connection_count;
  ordered_json connections = ordered_json::array();
  for (const auto& conn : in.state.connections)
    connections.push_back({{"id", conn.id},
                           {"client", conn.client},
                           {"epoch", conn.epoch},
                           {"opened_at", format_time(conn.opened_at)},
                           {"last_activity", optional_time(conn.last_activity)}});
  out["connections"] = std::move(connections);
  out["last_activity"] = optional_time(in.view.last_activity);
  out["status"] = {{"text", in.view.status.text},
                   {"emoji", in.view.status.emoji},
                   {"expiration", in.view.status.expiration}};
  out["idle_timeout"] = ev::effective_idle_timeout(in.state, in.ctx);
  out["auto_away_enabled"] = in.state.auto_away_enabled;
  out["service_enabled"] = in.ctx.service_enabled;
  if (in.bot) {  // only bots carry them, as their records do
    out["bot"] = true;
    out["always_active"] = in.always_active;
  }
  out["last_seq"] = in.state.last_seq;
  out["last_event"] = in.last_event ? audit_json(*in.last_event) : ordered_json(nullptr);
  return out;
}

const char* yes_no(bool value) {
  return value ? "yes" : "no";
}

void print_text(const inspection& in, std::ostream& out) {
  const auto row = [&out](const char* label) -> std::ostream& {
    return out << std::left << std::setw(18) << label;
  };
  const auto& view = in.view;
  row("user") << in.user << '\n';
  row("at") << format_time(in.at) << '\n';
  row("presence") << ev::to_string(view.presence) << (view.auto_away ? " (auto-away)" : "")
                  << (view.manual_away ? " (manual away)" : "") << '\n';
  row("online") << yes_no(view.online) << '\n';
  row("manual") << ev::to_string(view.manual);
  if (view.manual != ev::manual_mode::automatic && in.state.manual_until != 0)
    out << " until " << format_time(in.state.manual_until);
  out << '\n';
  row("last activity") << (view.last_activity == 0 ? "never" : format_time(view.last_activity))
                       << '\n';
  row("idle timeout") << ev::effective_idle_timeout(in.state, in.ctx) << " s, auto-away "
                      << (in.state.auto_away_enabled ? "on" : "off") << '\n';
  row("service") << (in.ctx.service_enabled ? "enabled" : "disabled") << '\n';
  row("status");
  if (view.status.empty())
    out << "(none)";
  else
    out << view.status.emoji << (view.status.emoji.empty() ? "" : " ") << '"' << view.status.text
        << '"';
  if (!view.status.empty() && view.status.expiration != 0)
    out << " until " << format_time(view.status.expiration * micros_per_second);
  out << '\n';
  row("connections") << view.connection_count << '\n';
  for (const auto& conn : in.state.connections)
    out << "  " << conn.id << "  client=" << conn.client << "  epoch=" << conn.epoch
        << "  opened=" << format_time(conn.opened_at) << "  last_activity="
        << (conn.last_activity == 0 ? "never" : format_time(conn.last_activity)) << '\n';
  if (in.bot)
    row("bot") << "yes, always-active " << (in.always_active ? "on" : "off") << '\n';
  row("last seq") << in.state.last_seq << '\n';
  if (const auto& last = in.last_event) {
    const auto or_dash = [](const std::string& text) { return text.empty() ? "-" : text; };
    row("last event") << ev::to_string(ev::type_of(last->body)) << " by " << or_dash(last->by)
                      << " via " << or_dash(last->via) << " token " << or_dash(last->token_id)
                      << " from " << or_dash(last->address) << '\n';
  }
}

} // namespace

status run_inspect(const std::string& db, const inspect_options& options, std::ostream& out) {
  inspection in;
  in.user = options.user;
  if (options.at.empty()) {
    in.at = now_us();
  } else {
    auto at = parse_time(options.at);
    if (!at)
      return at.error();
    in.at = *at;
  }
  auto opened = open_for_stream(db, options.user);
  if (!opened)
    return opened.error();
  const storage::event_log& log = *opened->log;
  auto workspace = storage::replay_workspace(log, in.at);
  if (!workspace)
    return workspace.error();
  auto state = storage::replay_user(log, options.user, in.at);
  if (!state)
    return state.error();
  in.state = std::move(*state);
  in.ctx = ev::context_of(*workspace);
  if (auto found = workspace->users.find(options.user); found != workspace->users.end()) {
    in.bot = found->second.bot;
    in.always_active = found->second.always_active;
  }
  in.view = ev::evaluate(in.state, in.ctx, in.at);
  if (in.state.last_seq != 0) {
    auto read = log.read_range(in.state.last_seq, in.state.last_seq, [&in](const ev::event& e) {
      in.last_event = e;
      return false;
    });
    if (!read)
      return read.error();
  }
  if (options.json)
    out << to_json(in).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  else
    print_text(in, out);
  return status::success();
}

} // namespace presence::tools
