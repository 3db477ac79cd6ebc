#include "cluster_campaign.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "api_call.hpp"
#include "cluster_checks.hpp"
#include "log_checks.hpp"
#include "report_line.hpp"
#include "tool_runner.hpp"

namespace presence::crash {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* loopback = "127.0.0.1";

/// Polls `probe` every 20 ms until it holds or `within` passed (the nodes give no event to
/// await: readiness and replication are read over HTTP).
template <class Probe>
bool poll_until(Probe probe, std::chrono::milliseconds within) {
  auto deadline = clock_type::now() + within;
  for (;;) {
    if (probe())
      return true;
    if (clock_type::now() >= deadline)
      return false;
    std::this_thread::sleep_for(20ms);
  }
}

} // namespace

cluster_campaign::cluster_campaign(campaign_options options)
  : options_(std::move(options)), rng_(options_.seed),
    starts_(static_cast<std::size_t>(options_.cluster), 0),
    nodes_(static_cast<std::size_t>(options_.cluster)),
    ports_(static_cast<std::size_t>(options_.cluster)) {
  for (int i = 1; i <= options_.cluster; ++i)
    ids_.push_back("n" + std::to_string(i));
}

void cluster_campaign::emit(const json& line) {
  // Faults quote server logs, which a cut may leave with half a UTF-8 character.
  std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

bool cluster_campaign::prepare(json& line) {
  work_dir_ = (fs::temp_directory_path() / ("presence-crash-cluster-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(options_.seed)))
                .string();
  std::error_code ec;
  fs::create_directories(work_dir_ + "/tool", ec);
  fs::create_directories(work_dir_ + "/logs", ec);
  for (const auto& id : ids_) {
    data_dirs_.push_back(work_dir_ + "/" + id);
    fs::create_directories(data_dirs_.back(), ec);
  }
  if (ec) {
    add_fault(line, "cannot create " + work_dir_ + ": " + ec.message());
    return false;
  }
  try {
    etcd_ = std::make_unique<test::etcd_process>();
  } catch (const std::exception& e) {
    add_fault(line, std::string("etcd did not start: ") + e.what());
    return false;
  }
  return true;
}

bool cluster_campaign::await_ready(std::size_t i, std::chrono::seconds within) {
  test::http_client http(nodes_[i]->host(), nodes_[i]->port());
  return poll_until(
    [&] {
      try {
        return http.get("/readyz").status == 200;
      } catch (const std::exception&) {
        http.disconnect();
        return false;
      }
    },
    within);
}

bool cluster_campaign::start_node(std::size_t i, json& line) {
  auto start = clock_type::now();
  std::string members;
  for (const auto& id : ids_)
    members += (members.empty() ? "" : ",") + id;
  auto args = options_.server_flags();
  args.insert(args.end(), {"--cluster-etcd", etcd_->url(), "--node-id", ids_[i], "--cluster-nodes",
                           members, "--cluster-lease-ttl", std::to_string(options_.lease_ttl_s)});
  ++starts_[i];
  try {
    nodes_[i] = std::make_unique<test::presenced_process>(data_dirs_[i], args);
  } catch (const std::exception& e) {
    add_fault(line, ids_[i] + " did not start: " + tail(e.what()));
    return false;
  }
  if (!await_ready(i, 60s)) {
    add_fault(line, ids_[i] + " was not ready within 60 s: " + tail(nodes_[i]->stderr_text()));
    return false;
  }
  line["ready_ms"] = millis_since(start);
  ports_.set(i, nodes_[i]->port());
  return true;
}

bool cluster_campaign::locate_workers(json& line) {
  test::http_client http(loopback, ports_.port(0));
  for (const auto& worker : book_.workers) {
    auto where =
      call_api(http, "admin.cluster.locate", test::default_admin_token, "user=" + worker.id);
    auto node = where.body.is_object() ? where.body.value("node", "") : "";
    auto it = std::find(ids_.begin(), ids_.end(), node);
    if (where.result != outcome::ok || it == ids_.end()) {
      add_fault(line, "admin.cluster.locate " + worker.id + ": " + where.body.dump());
      return false;
    }
    owner_[worker.id] = static_cast<std::size_t>(it - ids_.begin());
    line["owners"][worker.id] = node;
  }
  // The workspace stream reaches the replicas asynchronously: every node must know the tokens.
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    test::http_client on(loopback, ports_.port(i));
    for (const auto& worker : book_.workers)
      if (!poll_until(
            [&] { return call_api(on, "auth.test", worker.token, "").result == outcome::ok; },
            10s)) {
        add_fault(line, ids_[i] + " does not know the token of " + worker.id + " after 10 s");
        return false;
      }
  }
  return true;
}

void cluster_campaign::keep_log(std::size_t i) {
  if (!nodes_[i])
    return;
  std::ofstream out(work_dir_ + "/logs/" + ids_[i] + "." + std::to_string(starts_[i]) + ".log");
  out << nodes_[i]->stderr_text();
}

void cluster_campaign::kill_one(int k) {
  json line = {{"kill", k}, {"faults", json::array()}};
  auto i = std::uniform_int_distribution<std::size_t>(0, ids_.size() - 1)(rng_);
  line["node"] = ids_[i];
  if (!nodes_[i]->kill_hard())
    add_fault(line,
              ids_[i] + " exited by itself before the kill: " + tail(nodes_[i]->stderr_text()));
  ports_.set(i, 0);
  keep_log(i);
  nodes_[i].reset();
  auto outage =
    std::uniform_int_distribution<int>(options_.min_outage_ms, options_.max_outage_ms)(rng_);
  line["outage_ms"] = outage;
  std::this_thread::sleep_for(std::chrono::milliseconds(outage)); // the random outage itself
  start_node(i, line);
  line["ok"] = line["faults"].empty();
  if (!line["ok"].get<bool>())
    ++failed_kills_;
  emit(line);
}

void cluster_campaign::await_replicas(json& line) {
  // A value no workload write used (see the admin client's set_setting).
  std::string value = std::to_string(1000 + book_.next_serial() % 99000);
  test::http_client owner(loopback, ports_.port(0));
  auto set = call_api(owner, "admin.settings.set", test::default_admin_token,
                      "key=max_subscription&value=" + value);
  if (set.result != outcome::ok)
    return add_fault(line, "the last setting was refused: " + set.body.dump());
  acks_.acked({"$workspace",
               {{"type", "setting_changed"}, {"key", "max_subscription"}, {"value", value}},
               1});
  for (std::size_t i = 1; i < ids_.size(); ++i) {
    test::http_client replica(loopback, ports_.port(i));
    auto caught_up = [&] {
      auto got = call_api(replica, "admin.settings.get", test::default_admin_token, "");
      if (got.result != outcome::ok)
        return false;
      auto shown = got.body["settings"].value("max_subscription", json());
      return (shown.is_string() ? shown.get<std::string>() : shown.dump()) == value;
    };
    if (!poll_until(caught_up, 10s))
      add_fault(line, ids_[i] + "'s replica did not read the last workspace write within 10 s");
  }
}

void cluster_campaign::stop_all(json& line) {
  for (std::size_t n = ids_.size(); n-- > 0;) {
    if (!nodes_[n])
      continue;
    ports_.set(n, 0);
    int code = nodes_[n]->stop();
    keep_log(n);
    if (code != 0)
      add_fault(line, ids_[n] + " exited " + std::to_string(code) +
                        " on SIGTERM: " + tail(nodes_[n]->stderr_text()));
    nodes_[n].reset();
  }
  etcd_.reset();
}

void cluster_campaign::check_logs(json& line) {
  const std::string scratch = work_dir_ + "/tool";
  std::vector<exported_log> logs(ids_.size());
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    const auto path = work_dir_ + "/" + ids_[i] + ".export.jsonl";
    auto exported =
      run_tool({options_.presencectl, "--db", data_dirs_[i], "export", "--out", path}, scratch);
    if (exported.exit_code != 0 || !read_export(path, logs[i]))
      add_fault(line, ids_[i] + ": presencectl export failed: " + tail(exported.err));
    line["events"][ids_[i]] = logs[i].events.size();
    auto verify = run_tool({options_.presencectl, "--db", data_dirs_[i], "verify"}, scratch);
    line["verify"][ids_[i]] = verify.exit_code;
    if (verify.exit_code != 0)
      add_fault(line, ids_[i] + ": presencectl verify exited " + std::to_string(verify.exit_code) +
                        ": " + tail(verify.out + verify.err));
    auto audit = audit_cluster_connections(logs[i]);
    line["connections"][ids_[i]] = {{"connected", audit.connected},
                                    {"closed", audit.closed_by_reason},
                                    {"open", audit.open_now.size()}};
    for (const auto& fault : audit.faults)
      add_fault(line, ids_[i] + ": " + fault);
    for (std::size_t c = 0; c < audit.open_now.size() && c < 10; ++c)
      add_fault(line, ids_[i] + ": connection still open: " + audit.open_now[c]);
  }
  // Each write is looked for in the log of the node that owns its stream; the workspace's also
  // in every replica.
  auto by_owner = [&](std::vector<write_record> writes) {
    std::vector<std::vector<write_record>> out(ids_.size());
    for (auto& write : writes) {
      auto owner = owner_.find(write.stream);
      if (write.stream == "$workspace")
        out[0].push_back(std::move(write));
      else if (owner != owner_.end())
        out[owner->second].push_back(std::move(write));
      else
        add_fault(line, "a write to " + write.stream + ", whose owner is unknown");
    }
    return out;
  };
  auto acked = by_owner(acks_.acked());
  auto in_flight = by_owner(acks_.take_in_flight());
  std::size_t checked = 0, lost = 0, flying = 0, found = 0;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    auto missing = missing_writes(logs[i], acked[i]);
    checked += acked[i].size();
    lost += missing.size();
    if (!missing.empty()) {
      // What was looked for, in acknowledgement order, to compare with the export.
      std::ofstream out(work_dir_ + "/" + ids_[i] + ".acked.jsonl");
      for (const auto& write : acked[i])
        out << json{{"stream", write.stream}, {"match", write.match}}.dump() << '\n';
    }
    for (std::size_t m = 0; m < missing.size() && m < 5; ++m)
      add_fault(line, "acknowledged write lost in " + ids_[i] + ": " + missing[m].stream + " " +
                        missing[m].match.dump());
    flying += in_flight[i].size();
    found += writes_found(logs[i], in_flight[i]);
  }
  std::vector<write_record> workspace_writes;
  for (const auto& write : acked[0])
    if (write.stream == "$workspace")
      workspace_writes.push_back(write);
  for (std::size_t i = 1; i < ids_.size(); ++i) {
    auto missing = missing_writes(logs[i], workspace_writes);
    line["replica_lost"][ids_[i]] = missing.size();
    for (std::size_t m = 0; m < missing.size() && m < 5; ++m)
      add_fault(line, "acknowledged workspace write missing in replica " + ids_[i] + ": " +
                        missing[m].match.dump());
  }
  line["acked_checked"] = checked;
  line["lost"] = lost;
  line["in_flight"] = flying;
  line["in_flight_found"] = found;
}

int cluster_campaign::run() {
  auto start = clock_type::now();
  ::setenv("PRESENCED", options_.presenced.c_str(), 1);
  json summary = {{"summary", true},
                  {"cluster", options_.cluster},
                  {"seed", options_.seed},
                  {"faults", json::array()}};
  json first = {{"kill", 0}, {"faults", json::array()}};
  bool started = prepare(first);
  for (std::size_t i = 0; started && i < ids_.size(); ++i) {
    started = start_node(i, first);
    first["ready_ms_" + ids_[i]] = first.value("ready_ms", 0);
  }
  first.erase("ready_ms");
  if (started) {
    test::http_client http(loopback, ports_.port(1 % ids_.size()));
    started = create_worker_users(http, options_.clients, acks_, book_) && locate_workers(first);
  }
  first["ok"] = started && first["faults"].empty();
  emit(first);
  int kills = 0;
  if (started) {
    run_target target;
    target.host = loopback;
    target.cluster = &ports_;
    target.admin_token = test::default_admin_token;
    target.cycle = 1;
    workload load(acks_, book_);
    load.start(target, options_.clients, options_.pace_ms, options_.seed * 100003u);
    for (int k = 1; k <= options_.kills; ++k) {
      auto run_ms =
        std::uniform_int_distribution<int>(options_.min_run_ms, options_.max_run_ms)(rng_);
      std::this_thread::sleep_for(std::chrono::milliseconds(run_ms)); // the random moment itself
      kill_one(k);
      ++kills;
      if (failed_kills_ != 0 && !options_.keep_going)
        break;
    }
    // The load goes on over the whole cluster for a moment, then every client closes its sockets.
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.min_run_ms));
    load.stop();
    load.stats().report(summary);
    if (failed_kills_ == 0) {
      auto users = book_.sample(static_cast<std::size_t>(options_.check_created_users), rng_);
      cluster_view view{loopback, {}};
      for (std::size_t i = 0; i < ids_.size(); ++i)
        view.ports.push_back(ports_.port(i));
      auto offline =
        await_everyone_offline(view, users, std::chrono::seconds(options_.lease_ttl_s) + 10s);
      summary["presence_reads"] = offline.reads;
      for (const auto& fault : offline.faults)
        add_fault(summary, "still online: " + fault);
      await_replicas(summary);
    }
  }
  stop_all(summary);
  if (started)
    check_logs(summary);
  summary["kills"] = kills;
  summary["failed_kills"] = failed_kills_;
  summary["acked_writes"] = acks_.acked_count();
  summary["duration_s"] = millis_since(start) / 1000.0;
  bool ok = started && failed_kills_ == 0 && summary["faults"].empty();
  summary["ok"] = ok;
  std::error_code ec;
  if (ok)
    fs::remove_all(work_dir_, ec);
  else
    summary["kept"] = work_dir_; // data directories, exports and every node's log
  emit(summary);
  return ok ? 0 : 1;
}

} // namespace presence::crash
