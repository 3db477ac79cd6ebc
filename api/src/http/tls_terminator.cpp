#include "http/tls_terminator.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <spdlog/spdlog.h>

namespace presence::api::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct tls_terminator::impl {
  ssl::context context{ssl::context::tls_server};
};

namespace {

/// Bytes in flight per direction of one tunnel.
constexpr std::size_t relay_bytes = 16 * 1024;

/// One terminated connection: the TLS side and the tunnel's end of the socket pair.
class tunnel : public std::enable_shared_from_this<tunnel> {
 public:
  tunnel(tcp::socket socket, ssl::context& context)
    : tls_(beast::tcp_stream(std::move(socket)), context),
      inner_(tls_.get_executor()) {}

  void start(std::chrono::milliseconds handshake_timeout, tls_terminator::serve_fn serve) {
    beast::error_code ec;
    auto remote = beast::get_lowest_layer(tls_).socket().remote_endpoint(ec);
    peer_ = ec ? std::string("unknown") : remote.address().to_string();
    beast::get_lowest_layer(tls_).expires_after(handshake_timeout);
    tls_.async_handshake(ssl::stream_base::server,
                         [self = shared_from_this(), serve = std::move(serve)](
                           beast::error_code handshake_ec) mutable {
                           self->on_handshake(handshake_ec, std::move(serve));
                         });
  }

 private:
  void on_handshake(beast::error_code ec, tls_terminator::serve_fn serve) {
    if (ec) {
      spdlog::debug("tls handshake from {} failed: {}", peer_, ec.message());
      close();
      return;
    }
    beast::get_lowest_layer(tls_).expires_never();
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      spdlog::warn("tls: socketpair failed: {}", std::strerror(errno));
      close();
      return;
    }
    // Stream sockets of another family behind the tcp::socket interface: the plain side only
    // reads, writes, waits and shuts down, which every stream socket does alike.
    tcp::socket plain(tls_.get_executor());
    beast::error_code assign_ec;
    plain.assign(tcp::v4(), pair[0], assign_ec);
    if (assign_ec) {
      ::close(pair[0]);
      ::close(pair[1]);
    } else {
      inner_.assign(tcp::v4(), pair[1], assign_ec);
      if (assign_ec)
        ::close(pair[1]);  // `plain` closes pair[0]
    }
    if (assign_ec) {
      spdlog::warn("tls: cannot use a socket pair: {}", assign_ec.message());
      close();
      return;
    }
    serve(std::move(plain), peer_);
    read_tls();
    read_inner();
  }

  // Client → server: decrypted bytes go to the plain side.
  void read_tls() {
    tls_.async_read_some(asio::buffer(up_), [self = shared_from_this()](beast::error_code ec,
                                                                         std::size_t n) {
      if (ec) {
        // The client is done (or gone): the plain side reads the end of the stream.
        beast::error_code ignored;
        self->inner_.shutdown(tcp::socket::shutdown_send, ignored);
        self->up_done_ = true;
        self->maybe_close();
        return;
      }
      asio::async_write(self->inner_, asio::buffer(self->up_.data(), n),
                        [self](beast::error_code write_ec, std::size_t) {
                          if (write_ec) {
                            self->close();
                            return;
                          }
                          self->read_tls();
                        });
    });
  }

  // Server → client: the plain side's bytes are encrypted to the client.
  void read_inner() {
    inner_.async_read_some(asio::buffer(down_), [self = shared_from_this()](beast::error_code ec,
                                                                             std::size_t n) {
      if (ec) {
        // The server side closed: end the TLS session, then the connection.
        self->down_done_ = true;
        self->finish_tls();
        return;
      }
      asio::async_write(self->tls_, asio::buffer(self->down_.data(), n),
                        [self](beast::error_code write_ec, std::size_t) {
                          if (write_ec) {
                            self->close();
                            return;
                          }
                          self->read_inner();
                        });
    });
  }

  void finish_tls() {
    if (closed_)
      return;
    // close_notify, bounded: a peer that never answers it does not keep the socket.
    beast::get_lowest_layer(tls_).expires_after(std::chrono::seconds(2));
    tls_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  void maybe_close() {
    if (up_done_ && down_done_)
      close();
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    beast::error_code ignored;
    inner_.close(ignored);
    beast::get_lowest_layer(tls_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(tls_).close();
  }

  ssl::stream<beast::tcp_stream> tls_;
  tcp::socket inner_;
  std::string peer_;
  std::array<char, relay_bytes> up_{};
  std::array<char, relay_bytes> down_{};
  bool up_done_ = false;
  bool down_done_ = false;
  bool closed_ = false;
};

} // namespace

tls_terminator::tls_terminator(std::unique_ptr<impl> state) : impl_(std::move(state)) {
}

tls_terminator::~tls_terminator() = default;

result<std::unique_ptr<tls_terminator>> tls_terminator::create(const std::string& cert_file,
                                                               const std::string& key_file) {
  auto state = std::make_unique<impl>();
  auto& context = state->context;
  beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                      ec);
  if (!ec)
    context.use_certificate_chain_file(cert_file, ec);
  if (ec)
    return presence::error{errc::invalid_setting,
                           "tls_cert: cannot load " + cert_file + ": " + ec.message()};
  context.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec)
    return presence::error{errc::invalid_setting,
                           "tls_key: cannot load " + key_file + ": " + ec.message()};
  if (SSL_CTX_check_private_key(context.native_handle()) != 1)
    return presence::error{errc::invalid_setting,
                           "tls_key: " + key_file + " does not match the certificate in " +
                             cert_file};
  return std::unique_ptr<tls_terminator>(new tls_terminator(std::move(state)));
}

void tls_terminator::start(tcp::socket socket, std::chrono::milliseconds handshake_timeout,
                           serve_fn serve) {
  std::make_shared<tunnel>(std::move(socket), impl_->context)
    ->start(handshake_timeout, std::move(serve));
}

} // namespace presence::api::http
