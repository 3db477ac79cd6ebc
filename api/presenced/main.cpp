// presenced: the presence server. Parses its settings (JSON config file, PRESENCE_ADMIN_TOKEN,
// command line), opens the engine on the data directory, bootstraps the admin token, serves HTTP
// and WebSocket on one port (HTTPS and WSS with --tls-cert), prints `listening on http://HOST:PORT`
// (`https://…`) once ready, and shuts down cleanly on SIGTERM / SIGINT; SIGHUP reopens the log
// file. Exit codes: 0 clean stop, 1 runtime failure, 2 bad configuration.
//
// With --cluster-etcd it is one node of a cluster (docs/cluster.md): it prints the listening line
// as soon as it serves HTTP (the node-to-node endpoint is in the log), joins through etcd, and
// turns /readyz to 200 (after the admin bootstrap) once the node is ready.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <malloc.h>
#include <map>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "config/backup_schedule.hpp"
#include "config/logging.hpp"
#include "config/options.hpp"
#include "config/secret_file.hpp"
#include "config/startup.hpp"
#include "presence/actors/engine.hpp"
#include "presence/api/server.hpp"
#include "presence/cluster/node.hpp"

#ifdef PRESENCE_WITH_JEMALLOC
// jemalloc reads this at start. One background thread returns freed pages to the kernel within
// about a second (dirty pages) and at once (muzzy ones), so RSS follows what is in use — RocksDB
// frees 8 MiB memtable blocks at each flush — instead of keeping up to 10 s of freed memory.
extern "C" {
const char* malloc_conf =
  "background_thread:true,max_background_threads:1,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif

namespace {

using presence::api::config::presenced_options;

constexpr int exit_runtime = 1;
constexpr int exit_config = 2;

int config_error(const std::string& message) {
  std::cerr << "presenced: " << message << "\n";
  return exit_config;
}

/// Reads every source of settings in precedence order. Returns an exit code, or -1 to go on.
int read_options(int argc, char** argv, presenced_options& options) {
  CLI::App app{"presenced: Slack- and Rocket.Chat-compatible presence server"};
  std::string config_file;
  app.add_option("--config", config_file,
                 "JSON config file: an object of the option names below (with '_') to values");
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> flags;
  for (const auto& info : presence::api::config::option_table()) {
    auto flag = "--" + info.key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    flags[info.key] = app.add_option(flag, values[info.key], info.help);
    if (info.flag)
      flags[info.key]->expected(0, 1);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : exit_config;
  }
  if (!config_file.empty())
    if (auto st = load_config_file(options, config_file); !st)
      return config_error(st.error().message);
  if (const char* token = std::getenv("PRESENCE_ADMIN_TOKEN"); token != nullptr && *token != 0)
    if (auto st = set_option(options, "admin_token", token); !st)
      return config_error("PRESENCE_ADMIN_TOKEN: " + st.error().message);
  for (const auto& [key, option] : flags)
    if (option->count() > 0)
      if (auto st = set_option(options, key, values[key]); !st)
        return config_error(st.error().message);
  if (auto st = finish(options); !st)
    return config_error(st.error().message);
  return -1;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

presence::cluster::node_config node_config_of(const presenced_options& options) {
  presence::cluster::node_config out;
  out.etcd = options.cluster.etcd;
  out.node_id = options.cluster.node_id;
  out.listen_host = options.cluster.host;
  out.listen_port = options.cluster.port;
  out.nodes = options.cluster.nodes;
  out.partitions = options.cluster.partitions;
  out.lease_ttl = options.cluster.lease_ttl;
  return out;
}

/// The admin user (and a generated token, unless one is configured), then the workspace settings
/// of the options. Returns an exit code, or -1 to go on.
int bootstrap(presence::engine& engine, const presenced_options& options) {
  bool token_configured = !options.server.admin_token.empty();
  auto admin = presence::api::config::bootstrap_admin(engine, options.data_dir,
                                                      options.server.admin_user, token_configured);
  if (!admin.ok()) {
    spdlog::critical("admin bootstrap failed: {}", presence::describe(admin.error()));
    return exit_runtime;
  }
  if (admin->generated)
    std::cerr << "presenced: generated an admin token for user '" << options.server.admin_user
              << "'; it is in " << admin->token_file << " (mode 0600, shown nowhere else)\n";
  if (auto st = presence::api::config::apply_workspace_settings(engine, options.workspace); !st) {
    spdlog::critical("workspace settings refused: {}", presence::describe(st.error()));
    return exit_config;
  }
  return -1;
}

} // namespace

/// The server's whole life; main() adds the last line of defence around it.
static int run(int argc, char** argv) {
  // SIGTERM / SIGINT are taken with sigwait below; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // With glibc's malloc (PRESENCE_JEMALLOC=OFF; with jemalloc, the default, this is a no-op):
  // allocations of 1 MiB and more (RocksDB's memtable arena blocks, 8 MiB here) are mapped and
  // unmapped by themselves. glibc's default threshold rises to the largest block freed, after
  // which a flushed memtable's blocks stay in the heap: RSS then kept the memtables' high-water
  // mark instead of following their size (the soak saw it). A fixed threshold turns that off.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);

  presenced_options options;
  if (int code = read_options(argc, argv, options); code >= 0)
    return code;
  if (auto st = presence::api::config::setup_logging(
        {options.log_level, options.log_file, options.log_format == "json"});
      !st)
    return config_error(st.error().message);

  std::string dir_warning;
  if (auto st = presence::api::config::prepare_data_dir(options.data_dir, dir_warning); !st)
    return config_error(st.error().message);
  if (!dir_warning.empty())
    spdlog::warn("{}", dir_warning);

  std::error_code ec;
  if (!options.server.web_dir.empty() && !std::filesystem::is_directory(options.server.web_dir, ec))
    return config_error("web_dir: not a directory: " + options.server.web_dir);

  spdlog::info("engine opening data_dir={} durability={}", options.data_dir,
               options.engine.sync == presence::storage::durability::fsync ? "fsync" : "wal");
  std::unique_ptr<presence::engine> engine;
  presence::cluster::node* node = nullptr;
  if (options.cluster.etcd.empty()) {
    auto opened = presence::engine::open(options.engine);
    if (!opened.ok()) {
      spdlog::critical("engine open failed: {}", presence::describe(opened.error()));
      return exit_runtime;
    }
    engine = std::move(opened.value());
    if (int code = bootstrap(*engine, options); code >= 0) {
      (void)engine->shutdown();
      return code;
    }
  } else {
    auto opened = presence::cluster::open(options.engine, node_config_of(options));
    if (!opened.ok()) {
      spdlog::critical("cluster node open failed: {}", presence::describe(opened.error()));
      return opened.error().code == presence::errc::invalid_setting ? exit_config : exit_runtime;
    }
    node = opened->get();
    engine = std::move(opened.value());
  }

  presence::api::server server;
  auto port = server.start(*engine, options.server);
  if (!port.ok()) {
    spdlog::critical("{}", port.error().message);
    (void)engine->shutdown();
    return port.error().code == presence::errc::invalid_setting ? exit_config : exit_runtime;
  }
  auto url = std::string(options.server.tls_cert.empty() ? "http" : "https") + "://" +
             url_host(options.server.host) + ":" + std::to_string(port.value());
  // A node serves /readyz (503) from here on; it turns ready once joined and bootstrapped.
  std::thread joining;
  if (node != nullptr) {
    if (auto st = node->join(url); !st) {
      spdlog::critical("cluster join failed: {}", presence::describe(st.error()));
      server.stop();
      (void)engine->shutdown();
      return st.error().code == presence::errc::invalid_setting ? exit_config : exit_runtime;
    }
    joining = std::thread([node, &server, &options] {
      if (!node->wait_ready(std::chrono::hours{24 * 365}))
        return; // stopped first
      if (int code = bootstrap(*node, options); code >= 0) {
        spdlog::critical("cluster node not ready: bootstrap failed; stopping");
        kill(getpid(), SIGTERM);
        return;
      }
      server.set_ready(true);
      spdlog::info("cluster node ready");
    });
  } else {
    server.set_ready(true);
  }
  std::printf("listening on %s\n", url.c_str());
  std::fflush(stdout);

  presence::api::config::backup_schedule backups;
  backups.start([&engine, dir = options.backup_dir] { return engine->backup(dir); },
                options.backup_dir, options.backup_every, options.backup_keep);

  int received = 0;
  // SIGHUP reopens the log file (after a rotation); SIGTERM and SIGINT stop.
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (auto st = presence::api::config::reopen_log_file(); !st)
      spdlog::error("{}", st.error().message);
    else
      spdlog::info("log file reopened signal=SIGHUP");
  }
  spdlog::info("shutting down signal={}", received == SIGTERM ? "SIGTERM" : "SIGINT");
  backups.stop();
  server.stop();
  if (node != nullptr)
    (void)node->shutdown(); // wakes a join still waiting
  if (joining.joinable())
    joining.join();
  if (auto st = engine->shutdown(); !st) {
    spdlog::error("engine shutdown: {}", presence::describe(st.error()));
    return exit_runtime;
  }
  spdlog::info("stopped");
  return 0;
}

int main(int argc, char** argv) {
  // Anything thrown on this thread (memory or threads running out outside engine::open, which
  // reports those as values) ends the process with a line saying why and exit 1, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return exit_runtime;
  }
}
