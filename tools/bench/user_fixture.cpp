// presence-bench users: a database with N users and one token each, written straight through
// storage::event_log (user_created + token_issued with the SHA-256 of each secret, as the engine
// stores them), and the "id secret" lines presence-load --tokens-file reads. Lets a load test
// start presenced with many users without creating them one admin call at a time.
#include <cstdio>
#include <fstream>
#include <random>

#include <openssl/sha.h>

#include "report.hpp"
#include "verbs.hpp"
#include "workload.hpp"

namespace presence::bench {

namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string& secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  return hex(digest, sizeof digest);
}

/// A benchmark secret in the engine's format (`xoxp-` + 64 hex digits). Benchmark fixtures only:
/// std::random_device, not a vetted CSPRNG.
std::string make_secret(std::mt19937_64& random) {
  unsigned char bytes[32];
  for (std::size_t i = 0; i < sizeof bytes; i += 8) {
    uint64_t word = random();
    for (std::size_t b = 0; b < 8; ++b)
      bytes[i + b] = static_cast<unsigned char>(word >> (8 * b));
  }
  return "xoxp-" + hex(bytes, sizeof bytes);
}

} // namespace

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
  std::random_device seed;
  std::mt19937_64 random{(static_cast<uint64_t>(seed()) << 32) ^ seed()};
  stopwatch clock;
  std::vector<events::event> batch;
  const events::timestamp_us ts = now_us();
  for (uint64_t i = 0; i < options.users; ++i) {
    const std::string id = user_id(i);
    const std::string secret = make_secret(random);
    events::event created;
    created.ts = ts;
    created.stream = std::string{events::workspace_stream};
    created.by = "admin";
    created.via = "presence-bench users";
    created.body = events::user_created{id, id, false};
    events::event issued = created;
    issued.body = events::token_issued{"tok" + std::to_string(i), id, sha256_hex(secret)};
    batch.push_back(std::move(created));
    batch.push_back(std::move(issued));
    tokens << id << ' ' << secret << '\n';
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
