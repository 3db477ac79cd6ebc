// presence-bench users: a database with N users and one token each, written straight through
// storage::event_log (user_created + token_issued, each secret made and hashed by the engine's
// own functions), and the "id secret" lines presence-load --tokens-file reads. Lets a load test
// start presenced with many users without creating them one admin call at a time.
#include <cstdio>
#include <fstream>

#include "report.hpp"
#include "token_hash.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

int run_users(const bench_options& options, const std::string& db_path,
              const std::string& tokens_file) {
  storage::open_options open;
  open.path = db_path;
  auto log = storage::event_log::open(open);
  if (!log) {
    emit({{"bench", "users"}, {"error", describe(log.error())}});
    return 1;
  }
  std::ofstream tokens{tokens_file, std::ios::trunc};
  stopwatch clock;
  std::vector<events::event> batch;
  const events::timestamp_us ts = now_us();
  for (uint64_t i = 0; i < options.users; ++i) {
    const std::string id = user_id(i);
    auto secret = actors::new_token_secret();
    if (!secret) {
      emit({{"bench", "users"}, {"error", describe(secret.error())}});
      return 1;
    }
    events::event created;
    created.ts = ts;
    created.stream = std::string{events::workspace_stream};
    created.by = "admin";
    created.via = "presence-bench users";
    created.body = events::user_created{id, id, false};
    events::event issued = created;
    issued.body = events::token_issued{"tok" + std::to_string(i), id, actors::sha256_hex(*secret)};
    batch.push_back(std::move(created));
    batch.push_back(std::move(issued));
    tokens << id << ' ' << *secret << '\n';
    if (batch.size() >= options.batch || i + 1 == options.users) {
      if (auto appended = (*log)->append(batch); !appended) {
        emit({{"bench", "users"}, {"error", describe(appended.error())}});
        return 1;
      }
      batch.clear();
    }
  }
  if (auto flushed = (*log)->flush(); !flushed) {
    emit({{"bench", "users"}, {"error", describe(flushed.error())}});
    return 1;
  }
  emit({{"bench", "users"}, {"users", options.users}, {"db", db_path},
        {"tokens_file", tokens_file}, {"seconds", clock.seconds()}});
  return tokens.good() ? 0 : 1;
}

} // namespace presence::bench
