#pragma once

// One-time tickets for the WebSocket URL returned by rtm.connect: a ticket carries the credential
// it was issued to (user and token id, so that redemption re-checks the token; never the secret)
// and the client kind of the connection it opens, expires 30 s after issue, and can be redeemed
// once. Thread-safe (a mutex; tickets are rare).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace presence::api::rtm {

/// `bytes` random bytes from OpenSSL's RAND_bytes, base64url-encoded without padding
/// (4 characters per 3 bytes). Empty when the generator fails (never silently weak).
std::string random_url_token(std::size_t bytes);

/// Who a real-time session acts for: the user, the id of the token it authenticated with (what a
/// revocation re-checks, and what the audit records) and the client's address.
struct credential {
  std::string user;
  std::string token_id;
  std::string address; ///< the upgrade request's client address (a ticket leaves it empty)
};

class ticket_store {
 public:
  /// Issues a fresh random ticket (>= 128 bits, URL-safe) for `who`, valid until now_us + ttl,
  /// for a connection of client kind `client`. Expired tickets are purged here too. Empty when
  /// the random generator fails.
  std::string issue(credential who, int64_t now_us, int64_t ttl_us = 30'000'000,
                    std::string client = "rtm");
  /// The credential of a live ticket, consuming it (its client kind into `*client` when given);
  /// nullopt when unknown, used or expired. Expired tickets are purged here too, so the store
  /// cannot grow without bound.
  std::optional<credential> redeem(const std::string& ticket, int64_t now_us,
                                   std::string* client = nullptr);
  std::size_t size() const;

 private:
  struct entry {
    credential who;
    int64_t expires_us = 0;
    std::string client;
  };
  void purge_locked(int64_t now_us);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> tickets_;
};

} // namespace presence::api::rtm
