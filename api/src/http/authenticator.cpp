#include "http/authenticator.hpp"

#include <array>
#include <cctype>
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
  admin_identity_.id = admin_user;
  admin_identity_.name = std::move(admin_user);
  admin_identity_.admin = true;
}

void authenticator::authenticate(const std::string& secret, done_fn done) {
  if (!admin_token_.empty() && secret.size() == admin_token_.size() &&
      CRYPTO_memcmp(secret.data(), admin_token_.data(), secret.size()) == 0) {
    done(admin_identity_);
    return;
  }
  auto key = sha256(secret);
  std::optional<events::user_record> hit;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.expires > std::chrono::steady_clock::now())
        hit = it->second.user;
      else
        cache_.erase(it);
    }
  }
  if (hit) {
    done(std::move(*hit));
    return;
  }
  blocking_([this, secret, key, done = std::move(done)] {
    auto found = engine_.authenticate(secret);
    if (!found.ok())
      return done(found.error());
    remember(key, found->user);
    done(std::move(found->user));
  });
}

void authenticator::remember(const std::string& key, const events::user_record& user) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (cache_.size() >= max_cached)
    cache_.clear();
  cache_[key] = cached{user, std::chrono::steady_clock::now() + ttl_};
}

void authenticator::forget_all() {
  std::lock_guard<std::mutex> guard{mutex_};
  cache_.clear();
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
