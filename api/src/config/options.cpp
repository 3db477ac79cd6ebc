#include "config/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "config/secret_file.hpp"
#include "presence/events/validation.hpp"
#include "presence/events/workspace_state.hpp"

namespace presence::api::config {

namespace {

using setter = std::function<status(presenced_options&, std::string_view)>;

struct option_entry {
  option_info info;
  setter set;
};

presence::error bad_value(std::string_view key, std::string_view value,
                          const std::string& expected) {
  return {errc::invalid_setting,
          std::string(key) + ": '" + std::string(value) + "' is not " + expected};
}

/// The integer `text` if it lies in [lo, hi]; else `invalid_setting` naming `key` and the range.
result<int64_t> parse_integer(std::string_view key, std::string_view text, int64_t lo, int64_t hi) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi)
    return bad_value(key, text,
                     "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return value;
}

template <class T>
struct is_duration : std::false_type {};
template <class Rep, class Period>
struct is_duration<std::chrono::duration<Rep, Period>> : std::true_type {};

/// An integer option (a size or a count) in [lo, hi], stored into the member `field` returns.
template <class Field>
setter integer_option(std::string key, int64_t lo, int64_t hi, Field field) {
  return [key, lo, hi, field](presenced_options& o, std::string_view text) -> status {
    auto value = parse_integer(key, text, lo, hi);
    if (!value)
      return value.error();
    auto& target = field(o);
    using target_type = std::remove_reference_t<decltype(target)>;
    static_assert(!is_duration<target_type>::value, "durations are set by duration_option");
    target = static_cast<target_type>(*value);
    return {};
  };
}

/// A duration option, counted in `Unit` (the unit its key ends in: `_s` seconds, `_ms`
/// milliseconds), in [lo, hi] units: the one place where a configured number becomes a
/// std::chrono duration. The field may be finer than `Unit`, never coarser (a compile error).
template <class Unit, class Field>
setter duration_option(std::string key, int64_t lo, int64_t hi, Field field) {
  return [key, lo, hi, field](presenced_options& o, std::string_view text) -> status {
    auto value = parse_integer(key, text, lo, hi);
    if (!value)
      return value.error();
    field(o) = Unit{*value};
    return {};
  };
}

template <class Field>
setter real_option(std::string key, double lo, double hi, Field field) {
  return [key, lo, hi, field](presenced_options& o, std::string_view text) -> status {
    std::istringstream in{std::string(text)};
    double value = 0;
    in >> value;
    if (in.fail() || !in.eof() || !std::isfinite(value) || value < lo || value > hi) {
      std::ostringstream range;
      range << "a number in [" << lo << ", " << hi << "]";
      return bad_value(key, text, range.str());
    }
    field(o) = value;
    return {};
  };
}

template <class Field>
setter text_option(std::string key, Field field) {
  return [key, field](presenced_options& o, std::string_view text) -> status {
    bool control =
      std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (text.empty() || control)
      return bad_value(key, text, "a non-empty string without control characters");
    field(o) = std::string(text);
    return {};
  };
}

/// A boolean: true/false (1/0); an empty value (a command-line flag given alone) is true.
template <class Field>
setter bool_option(std::string key, Field field) {
  return [key, field](presenced_options& o, std::string_view text) -> status {
    if (text.empty() || text == "true" || text == "1")
      field(o) = true;
    else if (text == "false" || text == "0")
      field(o) = false;
    else
      return bad_value(key, text, "true or false");
    return {};
  };
}

/// A base URL: http:// or https://, a host, no query; a trailing '/' is dropped.
template <class Field>
setter url_option(std::string key, Field field) {
  return [key, field](presenced_options& o, std::string_view text) -> status {
    std::string url(text);
    while (!url.empty() && url.back() == '/')
      url.pop_back();
    auto scheme_end = url.find("://");
    auto scheme = url.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
    bool plain = std::all_of(url.begin(), url.end(), [](unsigned char c) {
      return std::isgraph(c) != 0 && c != '?' && c != '#';
    });
    if ((scheme != "http" && scheme != "https") || url.size() <= scheme_end + 3 || !plain)
      return bad_value(key, text, "an http:// or https:// URL without query or fragment");
    field(o) = url;
    return {};
  };
}

setter choice_option(std::string key, std::vector<std::string> choices,
                     std::function<void(presenced_options&, const std::string&)> apply) {
  return [key, choices, apply](presenced_options& o, std::string_view text) -> status {
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      std::string expected = "one of";
      for (const auto& c : choices)
        expected += " " + c;
      return bad_value(key, text, expected);
    }
    apply(o, std::string(text));
    return {};
  };
}

/// A workspace setting: validated by the domain's own rule, applied through the engine at start.
setter workspace_option(std::string key) {
  return [key](presenced_options& o, std::string_view text) -> status {
    events::workspace_settings scratch;
    if (auto st = events::set_setting(scratch, key, text); !st)
      return st;
    auto same = [&](const auto& kv) { return kv.first == key; };
    o.workspace.erase(std::remove_if(o.workspace.begin(), o.workspace.end(), same),
                      o.workspace.end());
    o.workspace.emplace_back(key, std::string(text));
    return {};
  };
}

/// The shortest admin token accepted: 32 characters (e.g. `openssl rand -hex 32` gives 64).
constexpr std::size_t min_admin_token = 32;

status check_token(std::string_view text) {
  bool printable =
    std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isgraph(c) != 0; });
  if (text.size() < min_admin_token)
    return {errc::invalid_setting,
            "admin_token: too short (" + std::to_string(text.size()) +
              " characters); at least 32 are needed, e.g. from `openssl rand -hex 32`"};
  if (text.size() > 256 || !printable)
    return bad_value("admin_token", "…", "32 to 256 printable characters without spaces");
  return {};
}

#define FIELD(expr)                                                                                \
  [](presenced_options & o) -> auto& {                                                             \
    return o.expr;                                                                                 \
  }

const std::vector<option_entry>& entries() {
  static const std::vector<option_entry> table = [] {
    std::vector<option_entry> t;
    auto add = [&t](std::string key, std::string help, setter set, bool flag = false) {
      t.push_back({{std::move(key), std::move(help), flag}, std::move(set)});
    };
    add("data_dir", "database directory (default ./data)",
        text_option("data_dir", FIELD(data_dir)));
    add("listen", "HOST:PORT to bind, port 0 = any free port (default 127.0.0.1:8080)",
        text_option("listen", FIELD(listen)));
    add("admin_token",
        "admin token secret, 32..256 printable characters (kept in memory only; "
        "visible in ps: prefer admin_token_file or PRESENCE_ADMIN_TOKEN)",
        [](presenced_options& o, std::string_view text) -> status {
          if (auto st = check_token(text); !st)
            return st;
          o.server.admin_token = std::string(text);
          return {};
        });
    add("admin_token_file", "file whose first line is the admin token (opened with O_NOFOLLOW)",
        [](presenced_options& o, std::string_view text) -> status {
          auto path = std::string(text);
          auto secret = read_secret_file(path);
          if (!secret.ok())
            return presence::error{errc::invalid_setting,
                                   "admin_token_file: " + secret.error().message};
          if (secret->empty())
            return presence::error{errc::invalid_setting,
                                   "admin_token_file: " + path + " is missing or empty"};
          if (auto st = check_token(*secret); !st)
            return presence::error{errc::invalid_setting,
                                   "admin_token_file " + path + ": " + st.error().message};
          o.server.admin_token = std::move(*secret);
          return {};
        });
    add("log_level", "trace|debug|info|warn|error|critical|off (default info)",
        choice_option("log_level", {"trace", "debug", "info", "warn", "error", "critical", "off"},
                      [](presenced_options& o, const std::string& v) { o.log_level = v; }));
    add("log_file", "append the log to this file instead of standard error; SIGHUP reopens it",
        text_option("log_file", FIELD(log_file)));
    add("log_format", "text or json (one JSON object per line: ts, level, msg); default text",
        choice_option("log_format", {"text", "json"},
                      [](presenced_options& o, const std::string& v) { o.log_format = v; }));
    add("backup_dir", "online backups go here (default DATA_DIR/backups)",
        text_option("backup_dir", FIELD(backup_dir)));
    add("backup_every",
        "seconds between scheduled online backups, 0 = none, 0..2678400 "
        "(default 0)",
        duration_option<std::chrono::seconds>("backup_every", 0, 2'678'400, FIELD(backup_every)));
    add("backup_keep", "scheduled backups kept, older ones deleted, 0 = all, 0..100000 (default 0)",
        integer_option("backup_keep", 0, 100'000, FIELD(backup_keep)));
    add(
      "durability", "wal (survives a killed process) or fsync (survives power loss); default wal",
      choice_option("durability", {"wal", "fsync"}, [](presenced_options& o, const std::string& v) {
        o.engine.sync = v == "fsync" ? storage::durability::fsync : storage::durability::wal;
      }));
    add("journal_max_batch", "events per group commit, 1..1000000 (default 4096)",
        integer_option("journal_max_batch", 1, 1'000'000, FIELD(engine.max_batch)));
    add("directory_shards", "user directory shards, 1..1024 (default 8)",
        integer_option("directory_shards", 1, 1024, FIELD(engine.directory_shards)));
    add("broadcaster_shards", "broadcaster shards, 1..1024 (default 4)",
        integer_option("broadcaster_shards", 1, 1024, FIELD(engine.broadcaster_shards)));
    add("flush_phases", "broadcaster ticks per flush interval, 1..64 (default 10)",
        integer_option("flush_phases", 1, 64, FIELD(engine.flush_phases)));
    add("passivate_after_s", "idle user actor lifetime in s, 1..86400 (default 60)",
        duration_option<std::chrono::seconds>("passivate_after_s", 1, 86'400,
                                              FIELD(engine.passivate_after)));
    add("snapshot_every", "user events between snapshots, 1..1000000000 (default 1000)",
        integer_option("snapshot_every", 1, 1'000'000'000, FIELD(engine.snapshot_every)));
    add("retention_s",
        "seconds of history kept: older user events are folded into snapshots and deleted, "
        "0 = keep all, 0..3153600000 (default 7776000 = 90 days)",
        duration_option<std::chrono::seconds>("retention_s", 0, 3'153'600'000,
                                              FIELD(engine.retention)));
    add("retention_interval_s", "seconds between retention passes, 1..86400 (default 3600)",
        duration_option<std::chrono::seconds>("retention_interval_s", 1, 86'400,
                                              FIELD(engine.retention_interval)));
    add("max_history_reads",
        "queries at a past instant under way at once, more get 503, 1..100000 (default 64)",
        integer_option("max_history_reads", 1, 100'000, FIELD(engine.max_history_reads)));
    add("request_timeout_ms", "engine request timeout in ms, 10..600000 (default 10000)",
        duration_option<std::chrono::milliseconds>("request_timeout_ms", 10, 600'000,
                                                   FIELD(engine.request_timeout)));
    add("http_threads", "event-loop threads, 0 = hardware threads, 0..256 (default 0)",
        integer_option("http_threads", 0, 256, FIELD(server.threads)));
    add("scheduler_threads", "actor scheduler threads, 0 = hardware threads, 0..256 (default 0)",
        integer_option("scheduler_threads", 0, 256, FIELD(engine.scheduler_threads)));
    add("max_connections",
        "open TCP connections, 0 = the descriptor limit less 512, "
        "0..10000000 (default 0)",
        integer_option("max_connections", 0, 10'000'000, FIELD(server.max_connections)));
    add("max_connections_per_address",
        "open TCP connections per client address, 0 = no cap, "
        "0..10000000 (default 4096)",
        integer_option("max_connections_per_address", 0, 10'000'000,
                       FIELD(server.max_connections_per_address)));
    add("admin_threads", "threads for blocking engine calls, 1..64 (default 2)",
        integer_option("admin_threads", 1, 64, FIELD(server.admin_threads)));
    add("max_blocking_queue",
        "tasks waiting for the admin threads before HTTP 503, 1..1000000 "
        "(default 1024)",
        integer_option("max_blocking_queue", 1, 1'000'000, FIELD(server.max_blocking_queue)));
    add("max_body_bytes", "request body limit, 1024..67108864 (default 65536)",
        integer_option("max_body_bytes", 1024, 64 << 20, FIELD(server.max_body_bytes)));
    add("header_timeout_ms", "deadline for a request's headers in ms, 100..600000 (default 10000)",
        duration_option<std::chrono::milliseconds>("header_timeout_ms", 100, 600'000,
                                                   FIELD(server.header_timeout)));
    add("max_header_bytes", "request header limit, 1024..1048576 (default 16384)",
        integer_option("max_header_bytes", 1024, 1 << 20, FIELD(server.max_header_bytes)));
    add("keepalive_timeout_s", "idle keep-alive timeout in s, 1..3600 (default 60)",
        duration_option<std::chrono::seconds>("keepalive_timeout_s", 1, 3600,
                                              FIELD(server.keepalive_timeout)));
    add("rate_limit_per_s", "API requests per second per token, 0 = off, 0..1000000 (default 20)",
        real_option("rate_limit_per_s", 0, 1e6, FIELD(server.rate_limit_per_s)));
    add("rate_limit_burst", "per-token burst, 1..1000000 (default 100)",
        real_option("rate_limit_burst", 1, 1e6, FIELD(server.rate_limit_burst)));
    add("tls_cert", "PEM certificate chain: serve https:// and wss:// (with tls_key)",
        text_option("tls_cert", FIELD(server.tls_cert)));
    add("tls_key", "PEM private key of tls_cert", text_option("tls_key", FIELD(server.tls_key)));
    add("allow_query_token",
        "accept a token in the query string of /api and /rtm (flag; "
        "default false: only headers and form bodies, /rtm only tickets and headers)",
        bool_option("allow_query_token", FIELD(server.allow_query_token)), true);
    add("public_url",
        "base URL clients use (behind a TLS-terminating proxy): auth.test and "
        "rtm.connect hand it out (default: the request's Host and the scheme served)",
        url_option("public_url", FIELD(server.public_url)));
    add("failed_auth_per_s",
        "failed authentications per second per client address, 0 = off, "
        "0..1000000 (default 1)",
        real_option("failed_auth_per_s", 0, 1e6, FIELD(server.failed_auth_per_s)));
    add("failed_auth_burst", "burst of that limit, 1..1000000 (default 20)",
        real_option("failed_auth_burst", 1, 1e6, FIELD(server.failed_auth_burst)));
    add("team_id", "team.id in auth.test and rtm.connect (default T00000001)",
        text_option("team_id", FIELD(server.team_id)));
    add("web_dir", "serve the web console from this folder instead of the built-in copy",
        text_option("web_dir", FIELD(server.web_dir)));
    add("team_name", "team.name in auth.test and rtm.connect (default presence)",
        text_option("team_name", FIELD(server.team_name)));
    add("max_frame_bytes", "largest WebSocket frame, 128..16777216 (default 65536)",
        integer_option("max_frame_bytes", 128, 16 << 20, FIELD(server.max_frame_bytes)));
    add("max_backlog_bytes",
        "unsent bytes before a slow WebSocket client is cut off, "
        "1024..1073741824 (default 1048576)",
        integer_option("max_backlog_bytes", 1024, 1 << 30, FIELD(server.max_backlog_bytes)));
    add("ping_interval_ms", "WebSocket heartbeat in ms, 100..3600000 (default 30000)",
        duration_option<std::chrono::milliseconds>("ping_interval_ms", 100, 3'600'000,
                                                   FIELD(server.ping_interval)));
    add("sub_rate_per_s",
        "presence_sub + presence_query per second per socket, 1..10000 (default 5)",
        integer_option("sub_rate_per_s", 1, 10'000, FIELD(server.sub_rate_per_s)));
    add("msg_rate_per_s",
        "WebSocket messages of any kind per second per socket, 1..10000 "
        "(default 50)",
        integer_option("msg_rate_per_s", 1, 10'000, FIELD(server.msg_rate_per_s)));
    add("max_query_ids", "ids per presence_query, 1..100000 (default 500)",
        integer_option("max_query_ids", 1, 100'000, FIELD(server.max_query_ids)));
    add("max_connections_per_user",
        "open WebSocket sessions per user, 0 = no cap, 0..100000 "
        "(default 10)",
        integer_option("max_connections_per_user", 0, 100'000,
                       FIELD(server.max_connections_per_user)));
    add("connect_rate_per_s",
        "rtm.connect calls and /rtm token upgrades per second per token, "
        "0 = off, 0..1000000 (default 2)",
        real_option("connect_rate_per_s", 0, 1e6, FIELD(server.connect_rate_per_s)));
    add("connect_rate_burst", "burst of that rate limit, 1..1000000 (default 20)",
        real_option("connect_rate_burst", 1, 1e6, FIELD(server.connect_rate_burst)));
    // Workspace settings live in the log; these are applied through the engine at start.
    add("idle_timeout", "workspace: seconds before auto-away, 1..604800 (default 600)",
        workspace_option("idle_timeout"));
    add("connection_limit",
        "workspace: open connections before presence turns off, 0 = unlimited "
        "(default 200)",
        workspace_option("connection_limit"));
    add("flush_interval_ms", "workspace: broadcast coalescing window in ms, 1..10000 (default 100)",
        workspace_option("flush_interval_ms"));
    add("activity_log_interval",
        "workspace: seconds between logged activity events, 1..3600 "
        "(default 30)",
        workspace_option("activity_log_interval"));
    add("auto_reenable_below", "workspace: turn presence back on below this count, 0 = off",
        workspace_option("auto_reenable_below"));
    add("degraded_mode", "workspace: off or query_only (default off)",
        workspace_option("degraded_mode"));
    add("max_subscription", "workspace: ids per presence_sub, 1..100000 (default 500)",
        workspace_option("max_subscription"));
    add("mobile_idle_timeout", "workspace: seconds before auto-away when only mobile clients are "
        "open, 0..604800, 0 = idle_timeout (default 0)", workspace_option("mobile_idle_timeout"));
    add("presence_history", "workspace: who may read another user's presence at a past instant "
        "besides admins: self (nobody else, the default) or everyone",
        workspace_option("presence_history"));
    add("cluster_etcd", "join a cluster: http://HOST:PORT of etcd (default none: a single node)",
        text_option("cluster_etcd", FIELD(cluster.etcd)));
    add("node_id", "this node's id in the cluster, [A-Za-z0-9._-]{1,64}, stable across restarts",
        [](presenced_options& o, std::string_view text) -> status {
          if (!events::validate_user_id(text).ok())
            return bad_value("node_id", text, "[A-Za-z0-9._-]{1,64}");
          o.cluster.node_id = std::string(text);
          return {};
        });
    add("cluster_listen", "HOST:PORT of the node-to-node endpoint, port 0 = any free port "
        "(default 127.0.0.1:0)", text_option("cluster_listen", FIELD(cluster.listen)));
    add("cluster_nodes", "comma-separated node ids a first start assigns the partitions to; the "
        "first owns the workspace stream",
        [](presenced_options& o, std::string_view text) -> status {
          o.cluster.nodes.clear();
          std::string rest{text};
          for (std::size_t at = 0; at <= rest.size();) {
            auto comma = rest.find(',', at);
            auto id = rest.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
            if (!events::validate_user_id(id).ok())
              return bad_value("cluster_nodes", text,
                               "node ids ([A-Za-z0-9._-]{1,64}) separated by commas");
            o.cluster.nodes.push_back(id);
            if (comma == std::string::npos)
              break;
            at = comma + 1;
          }
          return {};
        });
    add("partitions", "partitions of the users, fixed when the cluster is first created, "
        "1..4096 (default 64)", integer_option("partitions", 1, 4096, FIELD(cluster.partitions)));
    add("cluster_lease_ttl", "seconds of the node's etcd lease: a lost node is seen this late, "
        "2..60 (default 5)",
        duration_option<std::chrono::seconds>("cluster_lease_ttl", 2, 60,
                                              FIELD(cluster.lease_ttl)));
    return t;
  }();
  return table;
}

#undef FIELD

std::string normalise(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

} // namespace

const std::vector<option_info>& option_table() {
  static const std::vector<option_info> infos = [] {
    std::vector<option_info> out;
    for (const auto& e : entries())
      out.push_back(e.info);
    return out;
  }();
  return infos;
}

status set_option(presenced_options& options, std::string_view key, std::string_view value) {
  auto name = normalise(key);
  for (const auto& e : entries())
    if (e.info.key == name)
      return e.set(options, value);
  return {errc::invalid_argument, "unknown option '" + std::string(key) + "'"};
}

status load_config_file(presenced_options& options, const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return {errc::storage_failure, "cannot read config file " + path};
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded())
    return {errc::invalid_json, path + ": not valid JSON"};
  if (!doc.is_object())
    return {errc::invalid_json, path + ": must be a JSON object of option names to values"};
  for (const auto& [key, value] : doc.items()) {
    std::string textual;
    if (value.is_string())
      textual = value.get<std::string>();
    else if (value.is_number() || value.is_boolean())
      textual = value.dump();
    else
      return {errc::invalid_json, path + ": " + key + " must be a string, number or boolean"};
    if (auto st = set_option(options, key, textual); !st)
      return presence::error{st.error().code, path + ": " + st.error().message};
  }
  return {};
}

status parse_listen(std::string_view listen, std::string& host, uint16_t& port) {
  auto fail = [&] {
    return status{errc::invalid_setting,
                  "listen: '" + std::string(listen) + "' is not HOST:PORT (port 0..65535)"};
  };
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail();
  auto h = listen.substr(0, colon);
  auto p = listen.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
    h = h.substr(1, h.size() - 2);
  else if (h.find(':') != std::string_view::npos)
    return fail(); // IPv6 addresses need brackets
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (h.empty() || p.empty() || ec != std::errc{} || end != p.data() + p.size() || value > 65535)
    return fail();
  host = std::string(h);
  port = static_cast<uint16_t>(value);
  return {};
}

status finish(presenced_options& options) {
  if (auto st = parse_listen(options.listen, options.server.host, options.server.port); !st)
    return st;
  if (options.data_dir.empty())
    return {errc::invalid_setting, "data_dir: must not be empty"};
  options.engine.db_path = options.data_dir;
  if (options.backup_dir.empty())
    options.backup_dir = (std::filesystem::path{options.data_dir} / "backups").string();
  options.server.backup_dir = options.backup_dir;
  if (options.server.tls_cert.empty() != options.server.tls_key.empty())
    return {errc::invalid_setting, "tls_cert and tls_key: give both or neither"};
  if (options.server.rate_limit_per_s > 0 && options.server.rate_limit_burst < 1)
    return {errc::invalid_setting, "rate_limit_burst: must be at least 1"};
  if (!options.cluster.etcd.empty()) {
    if (options.cluster.node_id.empty())
      return {errc::invalid_setting, "node_id: required with cluster_etcd"};
    if (auto st = parse_listen(options.cluster.listen, options.cluster.host, options.cluster.port);
        !st)
      return {errc::invalid_setting, "cluster_listen: " + st.error().message};
  }
  return {};
}

} // namespace presence::api::config
