#include "campaign.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api_call.hpp"
#include "log_checks.hpp"
#include "power_loss.hpp"
#include "presence_checks.hpp"
#include "report_line.hpp"
#include "tool_runner.hpp"

namespace presence::crash {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

} // namespace

campaign::campaign(campaign_options options) : options_(std::move(options)), rng_(options_.seed) {}

std::vector<std::string> campaign::server_args() const {
  return options_.server_flags();
}

std::vector<std::string> campaign::server_env() const {
  if (!options_.drops_unsynced())
    return {};
  return {"LD_PRELOAD=" + options_.shim, "PRESENCE_SHIM_LOG=" + shim_log_,
          "PRESENCE_SHIM_DIR=" + data_dir_};
}

void campaign::emit(const json& line) {
  std::cout << line.dump() << std::endl;
}

bool campaign::prepare_directories() {
  std::error_code ec;
  work_dir_ = (fs::temp_directory_path() /
               ("presence-crash-" + std::to_string(::getpid()) + "-" + std::to_string(options_.seed)))
                .string();
  fs::create_directories(work_dir_ + "/tool", ec);
  if (ec) {
    std::cerr << "crash_campaign: cannot create " << work_dir_ << ": " << ec.message() << '\n';
    return false;
  }
  temporary_data_ = options_.data_dir.empty();
  data_dir_ = temporary_data_ ? work_dir_ + "/data" : fs::absolute(options_.data_dir).string();
  if (fs::exists(data_dir_) && !fs::is_empty(data_dir_)) {
    std::cerr << "crash_campaign: " << data_dir_ << " is not empty\n";
    return false;
  }
  fs::create_directories(data_dir_, ec);
  shim_log_ = work_dir_ + "/shim.log";
  if (options_.drops_unsynced() && !fs::exists(options_.shim)) {
    std::cerr << "crash_campaign: the fsync shim " << options_.shim << " does not exist\n";
    return false;
  }
  return !ec;
}

bool campaign::start_server(json& line) {
  auto start = clock_type::now();
  try {
    server_ = std::make_unique<test::presenced_process>(data_dir_, server_args(),
                                                        test::default_admin_token, server_env());
  } catch (const std::exception& e) {
    add_fault(line, std::string("presenced did not restart: ") + e.what());
    return false;
  }
  line["restart_ms"] = millis_since(start);
  return true;
}

bool campaign::create_workers() {
  test::http_client http(server_->host(), server_->port());
  return create_worker_users(http, options_.clients, acks_, book_);
}

bool campaign::drop_unsynced_into(json& line, const char* field) {
  power_loss_report report;
  std::string error;
  if (!drop_unsynced(shim_log_, report, error)) {
    add_fault(line, "power-loss emulation failed: " + error);
    return false;
  }
  bytes_dropped_ += report.bytes_dropped;
  line[field] = {{"bytes", report.bytes_dropped},         {"files_truncated", report.files_truncated},
                 {"files_removed", report.files_removed}, {"files_emptied", report.files_emptied},
                 {"renames_unsynced", report.renames_unsynced}, {"shim_lines", report.log_lines}};
  if (!report.notes.empty())
    line[field]["notes"] = report.notes;
  return true;
}

void campaign::kill_during_startup(json& line) {
  std::vector<std::string> args = {"--data-dir", data_dir_, "--listen", "127.0.0.1:0",
                                    "--admin-token", test::default_admin_token};
  auto extra = server_args();
  args.insert(args.end(), extra.begin(), extra.end());
  int out_fd = -1;
  auto delay = std::uniform_int_distribution<int>(0, options_.startup_kill_max_ms)(rng_);
  pid_t pid = test::detail::spawn(args, work_dir_ + "/startup-stderr.log", out_fd, server_env());
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));  // the random moment itself
  ::kill(pid, SIGKILL);
  test::detail::wait_exit(pid);
  ::close(out_fd);
  ++startup_kills_;
  line["startup_kill_ms"] = delay;
  if (options_.drops_unsynced())
    drop_unsynced_into(line, "startup_dropped");
}

void campaign::check(json& line) {
  auto start = clock_type::now();
  const std::string scratch = work_dir_ + "/tool";
  const std::string export_path = work_dir_ + "/export.jsonl";
  auto exported = run_tool({options_.presencectl, "--db", data_dir_, "export", "--out", export_path},
                           scratch);
  exported_log log;
  if (exported.exit_code != 0 || !read_export(export_path, log))
    return add_fault(line, "presencectl export failed: " + tail(exported.err));
  line["events"] = log.events.size();
  if (log.bad_lines != 0)
    add_fault(line, std::to_string(log.bad_lines) + " export lines are not JSON objects");
  auto verify = run_tool({options_.presencectl, "--db", data_dir_, "verify"}, scratch);
  line["verify"] = verify.exit_code;
  if (verify.exit_code != 0)
    add_fault(line, "presencectl verify exited " + std::to_string(verify.exit_code) + ": " +
                      tail(verify.out + verify.err));
  auto acked = acks_.acked();
  auto missing = missing_writes(log, acked);
  line["acked_checked"] = acked.size();
  line["lost"] = missing.size();
  lost_ = std::max(lost_, missing.size());
  for (std::size_t i = 0; i < missing.size() && i < 5; ++i)
    add_fault(line, "acknowledged write lost: " + missing[i].stream + " " + missing[i].match.dump() +
                      " (run " + std::to_string(missing[i].cycle) + ")");
  auto in_flight = acks_.take_in_flight();
  auto found = writes_found(log, in_flight);
  line["in_flight_found"] = found;
  in_flight_total_ += in_flight.size();
  in_flight_found_ += found;
  if (log.current_epoch <= epoch_)
    add_fault(line, "the epoch did not advance: " + std::to_string(log.current_epoch) + " after " +
                      std::to_string(epoch_));
  epoch_ = log.current_epoch;
  line["epoch"] = epoch_;
  auto audit = audit_connections(log);
  line["closed_at_restart"] = audit.closed_at_restart;
  for (const auto& fault : audit.faults)
    add_fault(line, fault);
  if (audit.open_now != 0)
    add_fault(line, std::to_string(audit.open_now) + " connections open with no client connected");
  auto users = book_.sample(static_cast<std::size_t>(options_.check_created_users), rng_);
  presence_probe probe{server_->host(), server_->port(), options_.presencectl, data_dir_, scratch};
  auto presence = compare_presence(probe, users);
  line["presence_checked"] = presence.users_checked;
  for (const auto& fault : presence.faults)
    add_fault(line, "presence differs: " + fault);
  line["check_ms"] = millis_since(start);
}

bool campaign::cycle(int k) {
  json line = {{"cycle", k}, {"durability", options_.durability}, {"faults", json::array()}};
  run_target target{server_->host(), server_->port(), test::default_admin_token, k, epoch_};
  auto run_ms = std::uniform_int_distribution<int>(options_.min_run_ms, options_.max_run_ms)(rng_);
  {
    workload load(acks_, book_);
    load.start(target, options_.clients, options_.pace_ms, options_.seed * 100003u + static_cast<uint32_t>(k));
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));  // the random moment itself
    if (!server_->kill_hard())
      add_fault(line, "presenced exited by itself before the kill: " + tail(server_->stderr_text()));
    load.stop();
    line["kill_after_ms"] = run_ms;
    load.stats().report(line);
  }
  server_.reset();
  if (options_.drops_unsynced())
    drop_unsynced_into(line, "dropped");
  if (std::uniform_int_distribution<int>(0, 99)(rng_) < options_.startup_kill_percent)
    kill_during_startup(line);
  if (start_server(line))
    check(line);
  line["ok"] = line["faults"].empty();
  if (!line["ok"].get<bool>())
    ++faults_;
  emit(line);
  return line["ok"].get<bool>() && server_ != nullptr;
}

int campaign::run() {
  auto start = clock_type::now();
  if (!prepare_directories())
    return 2;
  ::setenv("PRESENCED", options_.presenced.c_str(), 1);
  json first = {{"cycle", 0}, {"durability", options_.durability}, {"faults", json::array()}};
  if (!start_server(first) || !create_workers()) {
    emit(first);
    return 1;
  }
  check(first);
  first["ok"] = first["faults"].empty();
  emit(first);
  bool ok = first["ok"].get<bool>();
  int kills = 0;
  for (int k = 1; k <= options_.kills && (ok || options_.keep_going); ++k) {
    ok = cycle(k) && ok;
    ++kills;
    if (server_ == nullptr)
      break;
  }
  if (server_ != nullptr) {
    int code = server_->stop();
    if (code != 0) {
      std::cerr << "crash_campaign: the last presenced exited " << code << " on SIGTERM\n";
      ok = false;
    }
    server_.reset();
  }
  json summary = {{"summary", true},
                  {"durability", options_.durability},
                  {"power_loss", options_.drops_unsynced()},
                  {"seed", options_.seed},
                  {"kills", kills},
                  {"startup_kills", startup_kills_},
                  {"acked_writes", acks_.acked_count()},
                  {"lost", lost_},
                  {"in_flight", in_flight_total_},
                  {"in_flight_found", in_flight_found_},
                  {"bytes_dropped", bytes_dropped_},
                  {"failed_cycles", faults_},
                  {"duration_s", millis_since(start) / 1000.0},
                  {"ok", ok && faults_ == 0}};
  std::error_code ec;
  if (summary["ok"].get<bool>()) {
    fs::remove_all(work_dir_, ec);
  } else {
    summary["kept"] = work_dir_;
    summary["data_dir"] = data_dir_;
  }
  emit(summary);
  return summary["ok"].get<bool>() ? 0 : 1;
}

} // namespace presence::crash
