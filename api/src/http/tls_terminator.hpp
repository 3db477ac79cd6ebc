#pragma once

// Native TLS (https:// and wss://) without a second HTTP or WebSocket implementation: each
// accepted connection's TLS handshake is done here (OpenSSL through Asio), then its decrypted
// bytes are relayed to and from one end of a socket pair whose other end is served exactly like
// a plain connection (http_session, then the WebSocket session after an upgrade). No OpenSSL or
// Asio SSL type appears in this header.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "presence/events/result.hpp"

namespace presence::api::http {

class tls_terminator {
 public:
  /// Serves the plain end of a terminated connection; `peer` is the TLS client's IP address.
  using serve_fn = std::function<void(boost::asio::ip::tcp::socket plain, std::string peer)>;

  /// Loads the PEM certificate chain `cert_file` and private key `key_file` (TLS 1.2 and newer).
  /// Errors: `invalid_setting` naming the file and OpenSSL's reason.
  static result<std::unique_ptr<tls_terminator>> create(const std::string& cert_file,
                                                        const std::string& key_file);
  ~tls_terminator();
  tls_terminator(const tls_terminator&) = delete;
  tls_terminator& operator=(const tls_terminator&) = delete;

  /// Takes over an accepted connection (its executor should be a strand): handshakes within
  /// `handshake_timeout` (else closes it), then calls `serve` on the same executor with the plain
  /// end and relays until either side ends, then closes both. Returns at once; the terminator
  /// must outlive every connection it took.
  void start(boost::asio::ip::tcp::socket socket, std::chrono::milliseconds handshake_timeout,
             serve_fn serve);

 private:
  struct impl;
  explicit tls_terminator(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

} // namespace presence::api::http
