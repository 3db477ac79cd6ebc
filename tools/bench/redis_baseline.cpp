// presence-bench redis: presence as many teams build it in Redis (per event an XADD to the log
// stream, an HSET of the user's state, a PUBLISH to the user's channel; pipelined through
// hiredis), beside the engine ingest of the same mix in the same run.
#include <atomic>
#include <thread>

#include <hiredis/hiredis.h>

#include "engine_paths.hpp"
#include "presence/events/codec.hpp"
#include "redis_server.hpp"
#include "report.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

namespace {

constexpr std::size_t commands_per_event = 3;

/// The state fields an operation changes, as the HSET of the baseline writes them.
std::vector<std::pair<std::string, std::string>> state_fields(op_kind kind, uint64_t cycle) {
  switch (kind) {
    case op_kind::connect:
      return {{"presence", "online"}, {"conn", connection_id(cycle)}};
    case op_kind::set_away:
      return {{"presence", "away"}, {"manual", "away"}};
    case op_kind::set_status:
      return {{"status_text", "In a meeting"}, {"status_emoji", ":calendar:"}};
    case op_kind::set_auto:
      return {{"presence", "online"}, {"manual", "auto"}};
    case op_kind::disconnect:
      break;
  }
  return {{"presence", "offline"}, {"conn", ""}};
}

const char* presence_after(op_kind kind) {
  switch (kind) {
    case op_kind::set_away:
      return "away";
    case op_kind::disconnect:
      return "offline";
    default:
      return "online";
  }
}

/// Appends one command to the pipeline (binary-safe).
void append(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

struct redis_figures {
  double write_seconds = 0;    ///< every command of every event answered
  double deliver_seconds = 0;  ///< every PUBLISH seen by the subscriber
  uint64_t delivered = 0;
  uint64_t errors = 0;
  std::string first_error;
};

/// Counts pmessages on `presence:*` until `expected` arrived or nothing came for 10 s.
void subscribe_and_count(uint16_t port, uint64_t expected, std::atomic<uint64_t>& delivered,
                         std::atomic<bool>& ready) {
  redisContext* context = redisConnect("127.0.0.1", port);
  if (context == nullptr || context->err != 0) {
    ready = true;
    return;
  }
  redisSetTimeout(context, timeval{10, 0});
  void* reply = redisCommand(context, "PSUBSCRIBE presence:*");
  if (reply != nullptr)
    freeReplyObject(reply);
  ready = true;
  while (delivered.load() < expected) {
    if (redisGetReply(context, &reply) != REDIS_OK || reply == nullptr)
      break;
    auto* message = static_cast<redisReply*>(reply);
    if (message->type == REDIS_REPLY_ARRAY && message->elements == 4)
      delivered.fetch_add(1);
    freeReplyObject(reply);
  }
  redisFree(context);
}

result<redis_figures> drive_redis(uint16_t port, const bench_options& options) {
  redisContext* context = redisConnect("127.0.0.1", port);
  if (context == nullptr || context->err != 0)
    return error{errc::storage_failure, "cannot connect to redis-server"};
  std::atomic<uint64_t> delivered{0};
  std::atomic<bool> ready{false};
  std::thread subscriber{subscribe_and_count, port, options.events, std::ref(delivered),
                         std::ref(ready)};
  while (!ready.load())
    std::this_thread::yield();
  redis_figures figures;
  const auto ts0 = now_us();
  const std::size_t batch = std::min<std::size_t>(options.batch, 4096);
  stopwatch clock;
  for (uint64_t first = 0; first < options.events; first += batch) {
    const uint64_t last = std::min<uint64_t>(options.events, first + batch);
    for (uint64_t i = first; i < last; ++i) {
      const op command = op_at(i, options.users);
      const auto ev = event_for(command, ts0 + static_cast<int64_t>(i), 1);
      const std::string user = ev.stream;
      append(context, {"XADD", "presence:log", "*", "stream", user, "record", events::encode(ev)});
      std::vector<std::string> hset = {"HSET", "user:" + user};
      for (auto& [field, value] : state_fields(command.kind, command.cycle)) {
        hset.push_back(field);
        hset.push_back(value);
      }
      append(context, hset);
      append(context, {"PUBLISH", "presence:" + user,
                       std::string{R"({"type":"presence_change","presence":")"} +
                         presence_after(command.kind) + R"(","users":[")" + user + "\"]}"});
    }
    for (uint64_t i = first; i < last; ++i)
      for (std::size_t c = 0; c < commands_per_event; ++c) {
        void* reply = nullptr;
        if (redisGetReply(context, &reply) != REDIS_OK) {
          redisFree(context);
          subscriber.join();
          return error{errc::storage_failure, "redis connection failed mid-run"};
        }
        auto* answer = static_cast<redisReply*>(reply);
        if (answer->type == REDIS_REPLY_ERROR) {
          ++figures.errors;
          if (figures.first_error.empty())
            figures.first_error = std::string(answer->str, answer->len);
        }
        freeReplyObject(reply);
      }
  }
  figures.write_seconds = clock.seconds();
  subscriber.join();
  figures.deliver_seconds = clock.seconds();
  figures.delivered = delivered.load();
  redisFree(context);
  return figures;
}

} // namespace

int run_redis(const bench_options& options) {
  scratch_dir scratch{"presence-bench-redis"};
  if (options.keep)
    scratch.keep();
  nlohmann::json summary = {{"bench", "redis"}, {"users", options.users},
                            {"events", options.events}};
  double ours = 0;
  double our_deliveries = 0;
  if (options.engine) {
    // Ours first, on a fresh log whose users exist (as in `ingest`).
    {
      storage::open_options open;
      open.path = scratch.sub("engine");
      open.sync = options.sync;
      auto log = storage::event_log::open(open);
      if (!log)
        return fail("engine fixture", describe(log.error()));
      if (auto users = append_users(**log, options.users, options.batch); !users)
        return fail("engine fixture", describe(users.error()));
    }
    bench_options counted = options;
    counted.count_deliveries = true;
    auto driven = engine_ingest(scratch.sub("engine"), counted);
    if (!driven)
      return fail("engine ingest", describe(driven.error()));
    ours = per_second(driven->acknowledged, driven->seconds);
    our_deliveries = per_second(driven->deliveries, driven->deliver_seconds);
    emit({{"bench", "redis"}, {"path", "engine"}, {"durability", durability_name(options.sync)},
          {"events", driven->acknowledged}, {"failed", driven->failed},
          {"seconds", driven->seconds}, {"events_per_s", ours},
          {"deliveries", driven->deliveries}, {"deliver_seconds", driven->deliver_seconds},
          {"deliveries_per_s", our_deliveries}});
  }
  auto server = redis_server::start(scratch.path());
  if (!server)
    return fail("redis-server", describe(server.error()));
  auto driven = drive_redis((*server)->port(), options);
  if (!driven)
    return fail("redis run", describe(driven.error()));
  const double theirs = per_second(options.events, driven->write_seconds);
  const double deliveries = per_second(driven->delivered, driven->deliver_seconds);
  emit({{"bench", "redis"}, {"path", "redis"}, {"version", (*server)->version()},
        {"appendfsync", "everysec"}, {"events", options.events},
        {"seconds", driven->write_seconds}, {"events_per_s", theirs},
        {"delivered", driven->delivered}, {"deliveries_per_s", deliveries},
        {"errors", driven->errors}, {"first_error", driven->first_error}});
  const bool with_engine = options.engine;
  summary["ours_events_per_s"] = with_engine ? nlohmann::json(ours) : nlohmann::json(nullptr);
  summary["redis_events_per_s"] = theirs;
  summary["redis_deliveries_per_s"] = deliveries;
  summary["ratio"] = with_engine ? nlohmann::json(ratio(ours, theirs)) : nlohmann::json(nullptr);
  summary["ours_deliveries_per_s"] = with_engine ? nlohmann::json(our_deliveries)
                                                 : nlohmann::json(nullptr);
  summary["delivery_ratio"] = with_engine ? nlohmann::json(ratio(our_deliveries, deliveries))
                                          : nlohmann::json(nullptr);
  emit(summary);
  return driven->errors == 0 ? 0 : 1;
}

} // namespace presence::bench
