#pragma once

// A synchronous client of etcd's v3 API through its JSON gateway (HTTP/1.1, keys and values
// base64 in JSON): leases, plain and conditional writes, reads by key and by prefix.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "presence/events/result.hpp"

namespace presence::cluster {

class etcd_transport;

/// The most bytes of an answer a client reads unless told otherwise: 64 MiB.
inline constexpr std::size_t etcd_default_max_answer_bytes = std::size_t{64} << 20;

/// One key as etcd stores it. Keys and values are arbitrary bytes.
struct etcd_kv {
  std::string key, value;
  int64_t create_revision = 0, mod_revision = 0, lease = 0; ///< lease 0: none
};

/// A connection to one etcd member (no failover between members).
///
/// Threading: every member function may be called from any thread; calls are serialised by a
/// mutex, one request at a time on one kept-alive connection. Threads that must not wait for
/// each other use one client each.
///
/// Errors (all as values, nothing throws): timeout when etcd gives no complete answer (it is
/// unreachable, the connection broke, nothing came within the timeout, or etcd reports a
/// deadline or unavailability); storage_failure when etcd answers with an error, an HTTP status
/// other than 200, or an answer that cannot be read (not JSON, over the size limit, bad base64);
/// resource_exhausted when memory runs out. Messages name the URL, the operation and key, the
/// HTTP status and etcd's text. After a timeout on a write the write may or may not have been
/// applied. A broken connection is replaced by the next call.
class etcd_client {
 public:
  /// A client of the etcd member at `url`, `http://HOST:PORT` (HOST an IPv4 address or a name).
  /// No network traffic: the first call opens the connection. `timeout` bounds each call
  /// (connect, send and answer; resolving a host name uses the system resolver, unbounded).
  /// An answer over `max_answer_bytes` is not read: that call fails with storage_failure.
  /// Errors: invalid_setting (malformed URL, or a timeout or limit that is not positive).
  static result<std::unique_ptr<etcd_client>>
  connect(const std::string& url,
          std::chrono::milliseconds timeout = std::chrono::milliseconds{2000},
          std::size_t max_answer_bytes = etcd_default_max_answer_bytes);

  ~etcd_client();
  etcd_client(const etcd_client&) = delete;
  etcd_client& operator=(const etcd_client&) = delete;

  /// The URL given to connect (without a trailing '/').
  const std::string& url() const noexcept;

  /// A new lease of `ttl` (etcd may raise a short TTL to its minimum, about 2 s by default).
  /// Errors: invalid_argument (ttl not positive), timeout, storage_failure.
  result<int64_t> grant_lease(std::chrono::seconds ttl);

  /// Renews `lease` once. True: renewed; false: the lease is gone (expired or revoked).
  /// Errors: timeout, storage_failure.
  result<bool> keep_alive(int64_t lease);

  /// Revokes `lease`, deleting every key attached to it. A lease that is already gone counts
  /// as revoked. Errors: timeout, storage_failure.
  status revoke_lease(int64_t lease);

  /// Sets `key` to `value`, attached to `lease` (0: none; a put replaces the key's lease).
  /// Errors: timeout, storage_failure (e.g. the lease does not exist).
  status put(const std::string& key, const std::string& value, int64_t lease = 0);

  /// One transaction: puts `key` only if it does not exist (create_revision 0). True: created;
  /// false: it existed, and then `*existing` (when non-null) gets its value.
  /// Errors: timeout (outcome unknown), storage_failure.
  result<bool> create_if_absent(const std::string& key, const std::string& value,
                                std::string* existing = nullptr, int64_t lease = 0);

  /// One transaction: puts `key` only if its mod_revision is still `mod_revision` (0: only if
  /// it does not exist). True: swapped; false: the key changed since.
  /// Errors: timeout (outcome unknown), storage_failure.
  result<bool> replace_if(const std::string& key, int64_t mod_revision, const std::string& value,
                          int64_t lease = 0);

  /// The key, or nullopt when it does not exist. Errors: timeout, storage_failure.
  result<std::optional<etcd_kv>> get(const std::string& key);

  /// Every key starting with `prefix` (all keys for ""), sorted by key, in one answer (at most
  /// the client's max_answer_bytes). Errors: timeout, storage_failure (also when the answer is
  /// bigger).
  result<std::vector<etcd_kv>> get_prefix(const std::string& prefix);

  /// Deletes `key`; deleting a missing key succeeds. Errors: timeout, storage_failure.
  status erase(const std::string& key);

 private:
  explicit etcd_client(std::unique_ptr<etcd_transport> transport);

  std::mutex mutex_; // serialises the calls on transport_
  std::unique_ptr<etcd_transport> transport_;
};

} // namespace presence::cluster
