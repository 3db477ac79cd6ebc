// The phases of a presence-load run (see load_run.hpp), on one io_context thread.
#include "load_run.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "file_barrier.hpp"
#include "http_pool.hpp"
#include "latency.hpp"
#include "load_report.hpp"
#include "load_util.hpp"
#include "server_sampler.hpp"
#include "ws_connection.hpp"

namespace presence::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

int64_t micros_since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count();
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
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
    : options_(options), start_(clock_type::now()), ticker_(io_), deadline_(io_),
      barrier_(io_, options.barrier_dir),
      sampler_(io_, options.server_pid, options.sample_every_s, [this] { return counters(); }) {
    for (std::size_t i = 0; i < std::max<std::size_t>(options.sources, 1); ++i)
      sources_.push_back(asio::ip::make_address_v4(0x7f000002u + static_cast<uint32_t>(i)));
    if (options.nodes.empty())
      servers_.emplace_back(asio::ip::make_address(options.host), options.port);
    for (const auto& node : options.nodes) {
      const auto colon = node.rfind(':');
      servers_.emplace_back(asio::ip::make_address(node.substr(0, colon)),
                            static_cast<uint16_t>(std::stoul(node.substr(colon + 1))));
    }
    for (const auto& server : servers_)
      pools_.push_back(
        std::make_unique<http_pool>(io_, server, sources_, options.http_connections));
    const std::string prefix =
      options.prefix.empty() ? "ld" + std::to_string(::getpid()) + "x" : options.prefix;
    for (std::size_t i = 0; i < options.connections; ++i)
      ids_.push_back(prefix + std::to_string(options.first_user + i));
    tokens_.resize(options.connections);
    pending_.resize(options.connections);
    by_user_.resize(options.connections, nullptr);
    events_.ready = [this](bool ok, const std::string& what) { on_ready(ok, what); };
    events_.presence = [this](std::string_view user, std::string_view presence) {
      on_presence(user, presence);
    };
    events_.frame = [this] { frame_us_ = micros_since(start_); };
    events_.presence_frame = [this] { ++frames_; };
    events_.rtm_error = [this](const std::string& frame) { error("rtm", frame); };
    events_.closed = [this](const std::string& what) {
      ++closed_;
      error("closed", what);
    };
  }

  int run() {
    deadline_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s * 1e3)));
    deadline_.async_wait([this](boost::system::error_code ec) {
      if (ec)
        return;
      emit({{"bench", "load"}, {"error", "timeout"}, {"phase", phase_}});
      timed_out_ = true;
      sampler_.stop();
      io_.stop();
    });
    sampler_.start();
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

  const std::string& user_id(std::size_t index) const { return ids_[index]; }

  /// The node user `index` is created on, connects to and changes through: round robin over
  /// the population's numbers, so several processes spread their users the same way.
  std::size_t node_of(std::size_t index) const {
    return (options_.first_user + index) % servers_.size();
  }
  http_pool& pool_of(std::size_t index) { return *pools_[node_of(index)]; }

  std::size_t queued() const {
    std::size_t total = 0;
    for (const auto& pool : pools_)
      total += pool->queued();
    return total;
  }

  /// The load generator's side of a sample line (deliveries: users in every presence_change
  /// seen since the start, initial presences included).
  nlohmann::json counters() const {
    return {{"load_phase", phase_}, {"connections_open", connected_ - closed_},
            {"sent", sent_total_ + current_.sent}, {"acked", acked_total_ + current_.acked},
            {"deliveries", deliveries_total_}, {"errors", errors_}};
  }

  // --- phase 1: users ----------------------------------------------------------------
  void create_users() {
    phase_ = "users";
    phase_start_ = clock_type::now();
    if (read_tokens(options_.tokens_file, options_.connections, ids_, tokens_)) {
      emit({{"bench", "load"}, {"phase", "users"}, {"reused", options_.connections},
            {"tokens_file", options_.tokens_file}});
      users_answered_ = options_.connections;
      asio::post(io_, [this] { connect_users(); });
      return;
    }
    for (std::size_t i = 0; i < options_.connections; ++i) {
      const std::string id = user_id(i);
      pool_of(i).post("/api/admin.users.create",
                      "id=" + form_escape(id) + "&name=" + form_escape(id), options_.admin_token,
                      [this, i](http_answer answer) {
                        auto body = nlohmann::json::parse(answer.body, nullptr, false);
                        if (answer.status == 200 && body.is_object() && body.value("ok", false))
                          tokens_[i] = body.value("token", "");
                        else
                          error("admin.users.create",
                                std::to_string(answer.status) + " " + answer.body.substr(0, 200));
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
      write_tokens(options_.tokens_file, ids_, tokens_);
    connect_users();
  }

  void connect_users() {
    barrier_.await("connect", [this] { start_connecting(); });
  }

  void start_connecting() {
    run_.rss_before = process_rss_bytes(options_.server_pid);
    run_.subscriptions = options_.subscriptions;
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
    auto open = [this, index](const std::string& target, const std::string& bearer) {
      auto conn = std::make_shared<ws_connection>(
        io_, servers_[node_of(index)], sources_[index % sources_.size()], target, &events_, bearer);
      connections_.emplace_back(index, conn);
      by_user_[index] = conn.get();
      conn->start();
    };
    if (!options_.use_ticket) {
      open("/rtm", tokens_[index]);  // the token in a header, never in the URL
      return;
    }
    pool_of(index).post("/api/rtm.connect", "", tokens_[index], [this, open](http_answer answer) {
      auto body = nlohmann::json::parse(answer.body, nullptr, false);
      std::string url = body.is_object() ? body.value("url", "") : "";
      auto path = url.find("/rtm");
      if (answer.status != 200 || path == std::string::npos) {
        error("rtm.connect", std::to_string(answer.status));
        --connecting_;
        finish_connect();
        return;
      }
      open(url.substr(path), {});
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
    run_.connections = connected_;
    run_.connects_per_s = seconds > 0 ? connected_ / seconds : 0.0;
    emit({{"bench", "load"}, {"phase", "connect"}, {"connections", connected_},
          {"seconds", seconds}, {"connects_per_s", run_.connects_per_s}, {"errors", errors_}});
    phase_ = "idle";
    wait(options_.settle_s, [this] { subscribe_all(); });
  }

  template <class F>
  void wait(double seconds, F then) {
    ticker_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3)));
    ticker_.async_wait([then](boost::system::error_code ec) {
      if (!ec)
        then();
    });
  }

  // --- phase 3: subscriptions ---------------------------------------------------------
  void subscribe_all() {
    run_.rss_idle = process_rss_bytes(options_.server_pid);
    emit({{"bench", "load"}, {"phase", "idle"}, {"server_rss_before", run_.rss_before},
          {"server_rss_idle", run_.rss_idle}});
    for (std::size_t i = 0; i < ids_.size(); ++i)
      index_.emplace(ids_[i], i);
    phase_ = "subscribe";
    if (options_.subscriptions > 0)
      for (std::size_t i = 0; i < connections_.size(); ++i)
        connections_[i].second->send(subscription_for(connections_[i].first));
    phase_start_ = clock_type::now();
    last_count_ = 0;
    wait(options_.settle_s, [this] { await_initial_presences(); });
  }

  /// Each subscriber first gets the current presence of its subjects; measuring starts only once
  /// all of them arrived (or none came for a second, or subscribe_timeout_s passed), so they are
  /// not counted as deliveries of the first rate.
  void await_initial_presences() {
    const uint64_t expected =
      connected_ * std::min<uint64_t>(options_.subscriptions, options_.connections - 1);
    // Quiet: none came in the last second, after some came (a cluster takes a while to start).
    const bool quiet = deliveries_ == last_count_ && deliveries_ > 0;
    last_count_ = deliveries_;
    if (deliveries_ < expected && !quiet &&
        seconds_since(phase_start_) < options_.subscribe_timeout_s) {
      wait(1.0, [this] { await_initial_presences(); });
      return;
    }
    run_.rss_subscribed = process_rss_bytes(options_.server_pid);
    emit({{"bench", "load"}, {"phase", "subscribed"}, {"server_rss_subscribed", run_.rss_subscribed},
          {"initial_deliveries", deliveries_}, {"expected", expected},
          {"seconds", seconds_since(phase_start_)}});
    barrier_.await("measure", [this] { start_rate(); });
  }

  // --- phase 4: presence changes, one measured phase per offered rate -----------------
  void start_rate() {
    if (results_.size() == options_.rates.size()) {
      finish();
      return;
    }
    phase_ = "measure";
    current_ = rate_result{};
    current_.offered = options_.rates[results_.size()];
    // Room for every sample of the phase, with a quarter to spare: each change reaches about
    // `subscriptions` subscribers.
    const double seconds = (options_.duration_s + options_.settle_s) * 1.25;
    const auto changes = static_cast<std::size_t>(current_.offered * seconds);
    latency_.restart(changes * std::max<std::size_t>(fanout(), 1));
    ack_latency_.restart(changes);
    loop_lag_.restart(static_cast<std::size_t>(1000 * seconds));  // a 1 ms ticker
    errors_at_start_ = errors_;
    deliveries_ = 0;
    frames_ = 0;
    measure_start_ = clock_type::now();
    last_report_ = measure_start_;
    tick();
  }

  void tick() {
    if (ticker_armed_)
      loop_lag_.add(std::chrono::duration_cast<std::chrono::microseconds>(
                      clock_type::now() - ticker_.expiry()).count());
    const double elapsed = seconds_since(measure_start_);
    if (elapsed >= options_.duration_s) {
      current_.seconds = elapsed;
      current_.deliveries = deliveries_;
      current_.frames = frames_;
      phase_ = "drain";
      wait(options_.settle_s, [this] { finish_rate(); });
      return;
    }
    const auto due = static_cast<uint64_t>(elapsed * current_.offered);
    // Never queue more than a second of changes: past that the offered rate is not being met.
    while (current_.sent + current_.skipped < due) {
      if (queued() > current_.offered) {
        ++current_.skipped;
        continue;
      }
      send_change();
    }
    if (seconds_since(last_report_) >= 1.0) {
      last_report_ = clock_type::now();
      emit({{"bench", "load"}, {"phase", "measure"}, {"offered_changes_per_s", current_.offered},
            {"t", elapsed}, {"sent", current_.sent}, {"acked", current_.acked},
            {"deliveries", deliveries_}});
    }
    ticker_.expires_after(std::chrono::milliseconds(1));
    ticker_armed_ = true;
    ticker_.async_wait([this](boost::system::error_code ec) {
      if (!ec)
        tick();
    });
  }

  void finish_rate() {
    current_.p50_ms = latency_.percentile_ms(0.50);
    current_.p99_ms = latency_.percentile_ms(0.99);
    current_.p999_ms = latency_.percentile_ms(0.999);
    current_.latency_samples = latency_.count();
    current_.ack_p50_ms = ack_latency_.percentile_ms(0.50);
    current_.ack_p99_ms = ack_latency_.percentile_ms(0.99);
    current_.loop_lag_p99_ms = loop_lag_.percentile_ms(0.99);
    ticker_armed_ = false;
    current_.errors = errors_ - errors_at_start_;
    results_.push_back(current_);
    sent_total_ += current_.sent;
    acked_total_ += current_.acked;
    current_ = rate_result{};
    emit(rate_line(run_, results_.back()));
    start_rate();
  }

  /// How many connections one change reaches: its subscribers, or everyone for a status.
  std::size_t fanout() const {
    return options_.change == "status" ? options_.connections : options_.subscriptions;
  }

  void send_change() {
    std::size_t index = next_change_++ % options_.connections;
    for (std::size_t tries = 0; tokens_[index].empty() && tries < options_.connections; ++tries)
      index = next_change_++ % options_.connections;
    auto& change = pending_[index];
    if (options_.tickle && by_user_[index] != nullptr)
      by_user_[index]->send(R"({"type":"tickle"})");  // activity: not idle, so auto shows online
    change.away = !change.away;
    change.sent_us = micros_since(start_);
    ++current_.sent;
    const bool status = options_.change == "status";
    // A status's text is what on_presence compares: "away" or "here" (percent-encoded JSON).
    const char* body = status ? (change.away ? "profile=%7B%22status_text%22%3A%22away%22%7D"
                                             : "profile=%7B%22status_text%22%3A%22here%22%7D")
                              : (change.away ? "presence=away" : "presence=auto");
    const char* method = status ? "users.profile.set" : "users.setPresence";
    pool_of(index).post(
      std::string{"/api/"} + method, body, tokens_[index],
      [this, method, sent_us = change.sent_us, rate = results_.size()](http_answer answer) {
        if (answer.status == 200 && answer.body.find("\"ok\":true") != std::string::npos) {
          ++current_.acked;
          // Every answer to a change of this rate, the slowest (during the drain)
          // included; a later rate's phase is not this one's.
          if (rate == results_.size() && (phase_ == "measure" || phase_ == "drain"))
            ack_latency_.add(micros_since(start_) - sent_us);
        } else {
          error(method, std::to_string(answer.status) + " " + answer.body.substr(0, 200));
        }
      });
  }

  void on_presence(std::string_view user, std::string_view presence) {
    ++deliveries_;
    ++deliveries_total_;
    if (phase_ != "measure" && phase_ != "drain")
      return;
    auto found = index_.find(user);
    if (found == index_.end())
      return;
    const auto& change = pending_[found->second];
    if (change.sent_us < 0 || (presence == "away") != change.away)
      return;
    if (phase_ == "measure")
      ++current_.matched;
    latency_.add(frame_us_ - change.sent_us);
  }

  // --- phase 5: report and close --------------------------------------------------------
  void finish() {
    run_.errors = errors_;
    for (const auto& pool : pools_)
      run_.ratelimited += pool->ratelimited();
    run_.first_error = first_error_;
    phase_ = "closing";
    sampler_.stop();
    for (auto& conn : connections_)
      conn.second->close();
    emit(summary_line(run_, results_));
    wait(1.0, [this] { io_.stop(); });
  }

  load_options options_;
  asio::io_context io_;
  std::vector<tcp::endpoint> servers_; ///< presenced, or the cluster's nodes
  std::vector<asio::ip::address> sources_;
  std::vector<std::unique_ptr<http_pool>> pools_; ///< one per server
  std::vector<std::string> ids_;  ///< user id of each connection
  std::unordered_map<std::string_view, std::size_t> index_;  ///< id -> connection (views of ids_)
  clock_type::time_point start_, phase_start_, measure_start_, last_report_;
  asio::steady_timer ticker_, deadline_;
  file_barrier barrier_; ///< the `connect` and `measure` waits
  server_sampler sampler_;
  std::string phase_ = "start";
  bool timed_out_ = false;

  std::vector<std::string> tokens_;
  std::vector<pending_change> pending_;
  std::vector<std::pair<std::size_t, std::shared_ptr<ws_connection>>> connections_;  ///< (user, conn)
  std::vector<ws_connection*> by_user_;  ///< each user's connection (owned by connections_)
  ws_events events_;
  std::size_t users_answered_ = 0, next_connect_ = 0, connecting_ = 0, next_change_ = 0;
  uint64_t connected_ = 0, deliveries_ = 0, errors_ = 0, errors_at_start_ = 0, last_count_ = 0;
  uint64_t frames_ = 0;    ///< presence_change frames read in the current rate
  int64_t frame_us_ = 0;   ///< when the frame being parsed arrived (one clock read per frame)
  uint64_t closed_ = 0, deliveries_total_ = 0, sent_total_ = 0, acked_total_ = 0;
  std::string first_error_;
  latency_recorder latency_;
  latency_recorder ack_latency_;  ///< sent -> acked, of the changes answered while measuring
  /// How late the 1 ms ticker ran: this thread's own delay, which every timestamp it takes
  /// (a frame's arrival, an answer's) shares.
  latency_recorder loop_lag_;
  bool ticker_armed_ = false;  ///< the ticker was armed in this measured phase
  run_figures run_;
  rate_result current_;
  std::vector<rate_result> results_;
};

int run_load(const load_options& options) {
  const std::size_t servers = std::max<std::size_t>(options.nodes.size(), 1);
  if (!enough_open_files(options.connections + servers * options.http_connections + 64))
    return 1;
  auto run = std::make_unique<load_run>(options);
  return run->run();
}

} // namespace presence::load
