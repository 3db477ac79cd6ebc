#include "token_hash.hpp"

#include <array>
#include <cstdint>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace presence::actors {

namespace {

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0f]);
  }
  return out;
}

/// `prefix` followed by `size` random bytes in hex.
result<std::string> random_hex(std::string_view prefix, std::size_t size) {
  std::array<unsigned char, token_secret_bytes> buffer{};
  if (size > buffer.size() || RAND_bytes(buffer.data(), static_cast<int>(size)) != 1)
    return presence::error{errc::storage_failure, "the random source (RAND_bytes) failed"};
  auto out = std::string{prefix};
  out += to_hex(buffer.data(), size);
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return out;
}

} // namespace

result<std::string> new_token_secret(bool bot) {
  return random_hex(bot ? bot_token_secret_prefix : token_secret_prefix, token_secret_bytes);
}

result<std::string> new_random_id(std::string_view prefix) {
  return random_hex(prefix, 8);
}

std::string sha256_hex(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // EVP_Digest with SHA-256 cannot fail for in-memory input short of allocation failure; an empty
  // result then matches no stored hash, which fails closed.
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    return {};
  return to_hex(digest.data(), size);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace presence::actors
