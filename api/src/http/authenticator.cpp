#include "http/authenticator.hpp"

#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "http/error_mapping.hpp"

namespace presence::api::http {

namespace {

constexpr std::size_t max_cached = 100'000;

std::string sha256(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

} // namespace

authenticator::authenticator(presence::engine& engine, std::string admin_token,
                             std::string admin_user, blocking_executor blocking,
                             std::chrono::seconds ttl)
  : engine_(engine), admin_token_(std::move(admin_token)), blocking_(std::move(blocking)),
    ttl_(ttl) {
  admin_identity_.user.id = admin_user;
  admin_identity_.user.name = std::move(admin_user);
  admin_identity_.user.admin = true;
  admin_identity_.token_id = std::string{events::configured_admin_token_id};
}

bool authenticator::is_admin_token(const std::string& secret) const {
  return !admin_token_.empty() && secret.size() == admin_token_.size() &&
         CRYPTO_memcmp(secret.data(), admin_token_.data(), secret.size()) == 0;
}

void authenticator::check_token(const std::string& token_id, done_fn done) {
  if (!admin_token_.empty() && token_id == admin_identity_.token_id) {
    done(admin_identity_);
    return;
  }
  engine_.run_async(command::check_token{token_id}, std::move(done));
}

result<identity> authenticator::check_token_now(const std::string& token_id) {
  if (!admin_token_.empty() && token_id == admin_identity_.token_id)
    return admin_identity_;
  return engine_.run(command::check_token{token_id});
}

void authenticator::authenticate(const std::string& secret, done_fn done) {
  if (is_admin_token(secret)) {
    done(admin_identity_);
    return;
  }
  auto key = sha256(secret);
  std::optional<identity> hit;
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    generation = generation_;
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.expires > std::chrono::steady_clock::now())
        hit = it->second.who;
      else
        cache_.erase(it);
    }
  }
  if (hit) {
    done(std::move(*hit));
    return;
  }
  // `done` is shared: when the queue is full the task is dropped unrun and `done` answers here.
  auto answer = std::make_shared<done_fn>(std::move(done));
  bool queued = blocking_([this, secret, key, generation, answer] {
    auto found = engine_.authenticate(secret);
    if (!found.ok())
      return (*answer)(found.error());
    remember(key, found.value(), generation);
    (*answer)(std::move(found.value()));
  });
  if (!queued)
    (*answer)(pool_full_error());
}

void authenticator::remember(const std::string& key, const identity& who,
                             uint64_t generation) {
  std::lock_guard<std::mutex> guard{mutex_};
  // The answer may have been read before a revocation that forget_all followed: not cached.
  if (generation != generation_)
    return;
  if (cache_.size() >= max_cached)
    cache_.clear();
  cache_[key] = cached{who, std::chrono::steady_clock::now() + ttl_};
}

void authenticator::forget_all() {
  std::lock_guard<std::mutex> guard{mutex_};
  cache_.clear();
  ++generation_;
}

presence::error pool_full_error() {
  return {errc::resource_exhausted, "the blocking pool's queue is full"};
}

bool is_pool_full(const presence::error& err) noexcept {
  return err.code == errc::resource_exhausted && err.message == "the blocking pool's queue is full";
}

const char* slack_auth_error(const presence::error& err) noexcept {
  switch (err.code) {
    case errc::unknown_token:
      return "invalid_auth";
    case errc::token_revoked:
      return "token_revoked";
    case errc::user_deactivated:
      return "account_inactive";
    case errc::unknown_user:
      return "invalid_auth";
    default:
      return is_internal(err.code) ? slack_error(err.code) : "invalid_auth";
  }
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size())
    return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return {};
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ')
    token.erase(token.begin());
  while (!token.empty() && token.back() == ' ')
    token.pop_back();
  return token;
}

} // namespace presence::api::http
