#pragma once

// Token secrets, ids and hashes (docs/design.md §5 Admin: tokens are stored hashed). Plain C++ over
// OpenSSL's libcrypto; no CAF. Private to the actors module.

#include <cstddef>
#include <string>
#include <string_view>

#include "presence/events/result.hpp"

namespace presence::actors {

/// Prefix of a person's token secret, like Slack's user tokens.
inline constexpr std::string_view token_secret_prefix = "xoxp-";
/// Prefix of a bot's token secret, like Slack's bot tokens.
inline constexpr std::string_view bot_token_secret_prefix = "xoxb-";
/// Random bytes behind a secret: 256 bits, written as 64 lowercase hex digits after the prefix.
inline constexpr std::size_t token_secret_bytes = 32;

/// A fresh secret `xoxp-<64 hex>` (`xoxb-` for a bot) from OpenSSL's CSPRNG (`RAND_bytes`).
/// Thread-safe. Error: `storage_failure` when the system's random source fails (no secret is made
/// up then).
[[nodiscard]] result<std::string> new_token_secret(bool bot = false);

/// A fresh public identifier `<prefix><16 hex>` (64 random bits), for token and preset ids. Not a
/// secret; callers still check it against the ids they hold. Error as `new_token_secret`.
[[nodiscard]] result<std::string> new_random_id(std::string_view prefix);

/// Lowercase hex SHA-256 of `secret` (64 characters): the only form of a secret that is stored.
/// Deterministic and thread-safe.
std::string sha256_hex(std::string_view secret);

/// Compares two strings in time that depends only on their lengths, never on where they differ
/// (OpenSSL `CRYPTO_memcmp`). Use it for anything derived from a secret.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

} // namespace presence::actors
