#pragma once

// Every setting of presenced, by name: one table serves the JSON config file, the command line
// (`--max-body-bytes 4096` for key `max_body_bytes`) and the validation at start. Pure: no I/O
// except `load_config_file`.
//
// Config file: a JSON object of keys from `option_table()` to values (strings, numbers or
// booleans), e.g. {"listen": "127.0.0.1:9000", "durability": "fsync", "rate_limit_per_s": 50,
// "connection_limit": 500}. Precedence: defaults < config file < PRESENCE_ADMIN_TOKEN < command line.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "presence/actors/engine.hpp"
#include "presence/api/server.hpp"
#include "presence/events/result.hpp"

namespace presence::api::config {

/// The whole configuration of one presenced process.
/// The engine config presenced starts from: the library's defaults with retention on (90 days of
/// history; the library keeps everything unless asked).
inline engine_config presenced_engine_defaults() {
  engine_config config;
  config.retention = std::chrono::hours(24 * 90);
  return config;
}

/// Joining a cluster (docs/cluster.md); presenced runs as a single node while `etcd` is empty.
struct cluster_options {
  std::string etcd;    ///< http://HOST:PORT
  std::string node_id;
  std::string listen = "127.0.0.1:0"; ///< the node-to-node endpoint, HOST:PORT (0 = free)
  std::string host;    ///< `listen` split by `finish`
  uint16_t port = 0;
  std::vector<std::string> nodes; ///< the nodes a first start assigns partitions to
  uint32_t partitions = 64;
  std::chrono::seconds lease_ttl{5};
};

struct presenced_options {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";  ///< HOST:PORT, also split into server.host/port
  std::string log_level = "info";          ///< trace, debug, info, warn, error, critical, off
  std::string log_file;                    ///< empty = standard error; reopened on SIGHUP
  std::string log_format = "text";         ///< text, or json (one object per line)
  std::string backup_dir;                  ///< online backups; `finish` sets DATA_DIR/backups if empty
  std::chrono::seconds backup_every{0};    ///< between scheduled backups; 0 = none
  uint32_t backup_keep = 0;                ///< scheduled backups kept (older ones purged); 0 = all
  engine_config engine = presenced_engine_defaults();  ///< db_path is set from data_dir by `finish`
  server_config server;
  /// Workspace settings to apply at start (engine `set_setting`), in the order given; each value
  /// was already checked by the domain's own validation.
  std::vector<std::pair<std::string, std::string>> workspace;
  cluster_options cluster;
};

/// One settable option.
struct option_info {
  std::string key;   ///< snake_case; the command line uses it with '-' for '_'
  std::string help;  ///< one line, with the accepted range and the default
  bool flag = false; ///< a boolean that the command line may give without a value (= true)
};

/// Every option, in a fixed order.
const std::vector<option_info>& option_table();

/// Sets option `key` ('-' and '_' are interchangeable) from its text form. Errors:
/// `invalid_setting` naming the key and the accepted values; `invalid_argument` for an unknown key.
status set_option(presenced_options& options, std::string_view key, std::string_view value);

/// Applies a JSON config file (see the file comment). Errors: `invalid_json` (unreadable, not
/// JSON, not an object, or a value that is an object/array/null, naming the key), or the errors
/// of `set_option`. `storage_failure` when the file cannot be read.
status load_config_file(presenced_options& options, const std::string& path);

/// Cross-field checks and derived values once every source is applied: splits `listen` into
/// host and port, sets `engine.db_path` and a default `backup_dir`. Error: `invalid_setting` naming the field.
status finish(presenced_options& options);

/// Splits "HOST:PORT" ("[::1]:80" for IPv6). Error: `invalid_setting`.
status parse_listen(std::string_view listen, std::string& host, uint16_t& port);

} // namespace presence::api::config
