// The phases of a presence-load run (see load_run.hpp), on one io_context thread.
#include "load_run.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include "http_pool.hpp"
#include "latency.hpp"
#include "ws_connection.hpp"

namespace presence::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

void emit(const nlohmann::json& line) {
  std::cout << line.dump() << '\n' << std::flush;
}

int64_t micros_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count();
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Raises the soft open-files limit to the hard one; returns the limit now in force.
uint64_t raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

/// The last change sent for one user, to match what subscribers see against it.
struct pending_change {
  int64_t sent_us = -1;  ///< µs since the run's start; -1 = none
  bool away = false;     ///< the presence it asked for: away, or online (auto)
};

} // namespace

/// Everything one run holds; lives on the stack of run_load, used from the io thread only.
class load_run {
 public:
  explicit load_run(const load_options& options)
    : options_(options), server_(asio::ip::make_address(options.host), options.port),
      start_(clock_type::now()), ticker_(io_), deadline_(io_) {
    for (std::size_t i = 0; i < std::max<std::size_t>(options.sources, 1); ++i)
      sources_.push_back(asio::ip::make_address_v4(0x7f000002u + static_cast<uint32_t>(i)));
    pool_ = std::make_unique<http_pool>(io_, server_, sources_, options.http_connections);
    prefix_ = options.prefix.empty() ? "ld" + std::to_string(::getpid()) + "x" : options.prefix;
    tokens_.resize(options.connections);
    pending_.resize(options.connections);
    events_.ready = [this](bool ok, const std::string& what) { on_ready(ok, what); };
    events_.presence = [this](std::string_view user, std::string_view presence) {
      on_presence(user, presence);
    };
    events_.closed = [this](const std::string& what) { error("closed", what); };
  }

  int run() {
    deadline_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s * 1e3)));
    deadline_.async_wait([this](boost::system::error_code ec) {
      if (ec)
        return;
      emit({{"bench", "load"}, {"error", "timeout"}, {"phase", phase_}});
      timed_out_ = true;
      io_.stop();
    });
    create_users();
    io_.run();
    return timed_out_ ? 1 : 0;
  }

 private:
  void error(const char* kind, const std::string& what) {
    ++errors_;
    if (first_error_.empty())
      first_error_ = std::string{kind} + ": " + what;
  }

  std::string user_id(std::size_t index) const { return prefix_ + std::to_string(index); }

  // --- phase 1: users ----------------------------------------------------------------
  /// Reads "id token" lines from the tokens file; true when it covers every connection.
  bool load_tokens() {
    if (options_.tokens_file.empty())
      return false;
    std::ifstream in{options_.tokens_file};
    std::vector<std::pair<std::string, std::string>> listed;
    for (std::string id, token; in >> id >> token;)
      listed.emplace_back(id, token);
    if (listed.size() < options_.connections)
      return false;
    const std::string first = listed.front().first;
    prefix_ = first.substr(0, first.size() - 1);  // ids are prefix + index, the first index 0
    for (std::size_t i = 0; i < options_.connections; ++i)
      tokens_[i] = listed[i].second;
    return listed[0].first == user_id(0);
  }

  void save_tokens() const {
    if (options_.tokens_file.empty())
      return;
    std::ofstream out{options_.tokens_file, std::ios::trunc};
    for (std::size_t i = 0; i < tokens_.size(); ++i)
      if (!tokens_[i].empty())
        out << user_id(i) << ' ' << tokens_[i] << '\n';
  }

  void create_users() {
    phase_ = "users";
    phase_start_ = clock_type::now();
    if (load_tokens()) {
      emit({{"bench", "load"}, {"phase", "users"}, {"reused", options_.connections},
            {"tokens_file", options_.tokens_file}});
      users_answered_ = options_.connections;
      asio::post(io_, [this] { connect_users(); });
      return;
    }
    for (std::size_t i = 0; i < options_.connections; ++i) {
      const std::string id = user_id(i);
      pool_->post("/api/admin.users.create", "id=" + form_escape(id) + "&name=" + form_escape(id),
                  options_.admin_token, [this, i](http_answer answer) {
                    auto body = nlohmann::json::parse(answer.body, nullptr, false);
                    if (answer.status == 200 && body.is_object() && body.value("ok", false))
                      tokens_[i] = body.value("token", "");
                    else
                      error("admin.users.create", std::to_string(answer.status) + " " + answer.body.substr(0, 200));
                    if (++users_answered_ == options_.connections)
                      users_done();
                  });
    }
  }

  void users_done() {
    const double seconds = seconds_since(phase_start_);
    std::size_t created = std::count_if(tokens_.begin(), tokens_.end(),
                                        [](const std::string& t) { return !t.empty(); });
    emit({{"bench", "load"}, {"phase", "users"}, {"created", created}, {"seconds", seconds},
          {"users_per_s", seconds > 0 ? created / seconds : 0.0}, {"errors", errors_}});
    if (created == options_.connections)
      save_tokens();
    connect_users();
  }

  void connect_users() {
    rss_base_ = process_rss_bytes(options_.server_pid);
    phase_ = "connect";
    phase_start_ = clock_type::now();
    while (next_connect_ < options_.connections && connecting_ < options_.connect_concurrency)
      connect_next();
  }

  // --- phase 2: connections -----------------------------------------------------------
  std::string subscription_for(std::size_t index) const {
    nlohmann::json ids = nlohmann::json::array();
    const std::size_t count = std::min(options_.subscriptions, options_.connections - 1);
    for (std::size_t k = 1; k <= count; ++k)
      ids.push_back(user_id((index + k) % options_.connections));
    return nlohmann::json{{"type", "presence_sub"}, {"ids", ids}}.dump();
  }

  void connect_next() {
    const std::size_t index = next_connect_++;
    if (tokens_[index].empty()) {
      finish_connect();
      return;
    }
    ++connecting_;
    auto open = [this, index](const std::string& target) {
      auto conn = std::make_shared<ws_connection>(io_, server_, sources_[index % sources_.size()],
                                                  target, subscription_for(index), &events_);
      connections_.push_back(conn);
      conn->start();
    };
    if (!options_.use_ticket) {
      open("/rtm?token=" + form_escape(tokens_[index]));
      return;
    }
    pool_->post("/api/rtm.connect", "", tokens_[index], [this, open](http_answer answer) {
      auto body = nlohmann::json::parse(answer.body, nullptr, false);
      std::string url = body.is_object() ? body.value("url", "") : "";
      auto path = url.find("/rtm");
      if (answer.status != 200 || path == std::string::npos) {
        error("rtm.connect", std::to_string(answer.status));
        --connecting_;
        finish_connect();
        return;
      }
      open(url.substr(path));
    });
  }

  void on_ready(bool ok, const std::string& what) {
    --connecting_;
    if (ok)
      ++connected_;
    else
      error("websocket", what);
    finish_connect();
  }

  void finish_connect() {
    if (next_connect_ < options_.connections) {
      while (next_connect_ < options_.connections && connecting_ < options_.connect_concurrency)
        connect_next();
      return;
    }
    if (connecting_ > 0 || phase_ != "connect")
      return;
    const double seconds = seconds_since(phase_start_);
    emit({{"bench", "load"}, {"phase", "connect"}, {"connections", connected_},
          {"seconds", seconds}, {"connects_per_s", seconds > 0 ? connected_ / seconds : 0.0},
          {"errors", errors_}});
    connect_per_s_ = seconds > 0 ? connected_ / seconds : 0.0;
    phase_ = "settle";
    wait(options_.settle_s, [this] { start_measure(); });
  }

  template <class F>
  void wait(double seconds, F then) {
    ticker_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3)));
    ticker_.async_wait([then](boost::system::error_code ec) {
      if (!ec)
        then();
    });
  }

  // --- phase 3: presence changes ------------------------------------------------------
  void start_measure() {
    rss_connected_ = process_rss_bytes(options_.server_pid);
    emit({{"bench", "load"}, {"phase", "connected_idle"}, {"server_rss_before", rss_base_},
          {"server_rss_connected", rss_connected_}, {"initial_deliveries", deliveries_}});
    phase_ = "measure";
    deliveries_ = 0;
    measure_start_ = clock_type::now();
    last_report_ = measure_start_;
    tick();
  }

  void tick() {
    const double elapsed = seconds_since(measure_start_);
    if (elapsed >= options_.duration_s) {
      measure_seconds_ = elapsed;
      measured_deliveries_ = deliveries_;
      phase_ = "drain";
      wait(options_.settle_s, [this] { finish(); });
      return;
    }
    const auto due = static_cast<uint64_t>(elapsed * options_.rate);
    // Never queue more than a second of changes: past that the offered rate is not being met.
    while (sent_ + skipped_ < due) {
      if (pool_->queued() > options_.rate) {
        ++skipped_;
        continue;
      }
      send_change();
    }
    if (seconds_since(last_report_) >= 1.0) {
      last_report_ = clock_type::now();
      emit({{"bench", "load"}, {"phase", "measure"}, {"t", elapsed}, {"sent", sent_},
            {"acked", acked_}, {"deliveries", deliveries_}, {"latency_samples", latency_.count()}});
    }
    ticker_.expires_after(std::chrono::milliseconds(1));
    ticker_.async_wait([this](boost::system::error_code ec) {
      if (!ec)
        tick();
    });
  }

  void send_change() {
    std::size_t index = next_change_++ % options_.connections;
    for (std::size_t tries = 0; tokens_[index].empty() && tries < options_.connections; ++tries)
      index = next_change_++ % options_.connections;
    auto& change = pending_[index];
    change.away = !change.away;
    change.sent_us = micros_since(start_);
    ++sent_;
    pool_->post("/api/users.setPresence", change.away ? "presence=away" : "presence=auto",
                tokens_[index], [this](http_answer answer) {
                  if (answer.status == 200 && answer.body.find("\"ok\":true") != std::string::npos)
                    ++acked_;
                  else
                    error("users.setPresence", std::to_string(answer.status) + " " + answer.body.substr(0, 200));
                });
  }

  void on_presence(std::string_view user, std::string_view presence) {
    ++deliveries_;
    if (phase_ != "measure" && phase_ != "drain")
      return;
    if (user.size() <= prefix_.size() || user.compare(0, prefix_.size(), prefix_) != 0)
      return;
    std::size_t index = 0;
    auto digits = user.substr(prefix_.size());
    if (std::from_chars(digits.data(), digits.data() + digits.size(), index).ec != std::errc{} ||
        index >= pending_.size())
      return;
    const auto& change = pending_[index];
    if (change.sent_us < 0 || (presence == "away") != change.away)
      return;
    latency_.add(micros_since(start_) - change.sent_us);
  }

  // --- phase 4: report and close --------------------------------------------------------
  void finish() {
    const double deliveries_per_s =
      measure_seconds_ > 0 ? measured_deliveries_ / measure_seconds_ : 0.0;
    const uint64_t connections = connected_;
    nlohmann::json summary = {
      {"bench", "load"},
      {"connections", connections},
      {"subscriptions", options_.subscriptions},
      {"offered_changes_per_s", options_.rate},
      {"changes_per_s", measure_seconds_ > 0 ? sent_ / measure_seconds_ : 0.0},
      {"changes_skipped", skipped_},
      {"deliveries_per_s", std::round(deliveries_per_s)},
      {"p50_ms", latency_.percentile_ms(0.50)},
      {"p99_ms", latency_.percentile_ms(0.99)},
      {"p999_ms", latency_.percentile_ms(0.999)},
      {"latency_samples", latency_.count()},
      {"connects_per_s", std::round(connect_per_s_)},
      {"server_rss_connected", rss_connected_},
      {"server_bytes_per_connection",
       rss_base_ > 0 && connections > 0
         ? nlohmann::json(static_cast<int64_t>((static_cast<double>(rss_connected_) -
                                                 static_cast<double>(rss_base_)) / connections))
         : nlohmann::json(nullptr)},
      {"errors", errors_},
      {"ratelimited", pool_->ratelimited()},
      {"first_error", first_error_}};
    phase_ = "closing";
    for (auto& conn : connections_)
      conn->close();
    emit(summary);
    wait(1.0, [this] { io_.stop(); });
  }

  load_options options_;
  asio::io_context io_;
  tcp::endpoint server_;
  std::vector<asio::ip::address> sources_;
  std::unique_ptr<http_pool> pool_;
  std::string prefix_;
  clock_type::time_point start_, phase_start_, measure_start_, last_report_;
  asio::steady_timer ticker_, deadline_;
  std::string phase_ = "start";
  bool timed_out_ = false;

  std::vector<std::string> tokens_;
  std::vector<pending_change> pending_;
  std::vector<std::shared_ptr<ws_connection>> connections_;
  ws_events events_;
  std::size_t users_answered_ = 0, next_connect_ = 0, connecting_ = 0, next_change_ = 0;
  uint64_t connected_ = 0, sent_ = 0, skipped_ = 0, acked_ = 0, deliveries_ = 0;
  uint64_t measured_deliveries_ = 0, errors_ = 0, rss_base_ = 0, rss_connected_ = 0;
  double connect_per_s_ = 0, measure_seconds_ = 0;
  std::string first_error_;
  latency_recorder latency_;
};

int run_load(const load_options& options) {
  const uint64_t files = raise_file_limit();
  const uint64_t needed = options.connections + options.http_connections + 64;
  if (files > 0 && needed > files) {
    emit({{"bench", "load"}, {"error", "open-file limit"},
          {"detail", "need " + std::to_string(needed) + " descriptors, RLIMIT_NOFILE is " +
                       std::to_string(files) + " (hard limit; raise it with ulimit -Hn as root)"}});
    return 1;
  }
  auto run = std::make_unique<load_run>(options);
  return run->run();
}

} // namespace presence::load
