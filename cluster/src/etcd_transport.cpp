// etcd_transport.hpp over Boost.Beast: synchronous from the caller's side, each step an
// asynchronous operation run to completion on the transport's own io_context, so that
// beast::tcp_stream's deadline bounds connect, write and read alike.
#include "etcd_transport.hpp"

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace presence::cluster {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

result<etcd_endpoint> parse_etcd_url(const std::string& url) {
  auto bad = [&](const std::string& why) {
    return presence::error{errc::invalid_setting, "etcd URL '" + url + "': " + why};
  };
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0)
    return bad("https is not supported: expected http://HOST:PORT");
  if (url.rfind(scheme, 0) != 0)
    return bad("expected http://HOST:PORT");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (!rest.empty() && rest.front() == '[')
    return bad("IPv6 addresses are not supported: expected http://HOST:PORT");
  if (rest.find('/') != std::string::npos)
    return bad("a path is not supported: expected http://HOST:PORT");
  auto colon = rest.rfind(':');
  if (colon == std::string::npos)
    return bad("no port: expected http://HOST:PORT");
  std::string host = rest.substr(0, colon);
  std::string port_text = rest.substr(colon + 1);
  if (host.empty())
    return bad("no host: expected http://HOST:PORT");
  bool host_ok =
    host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
    });
  if (!host_ok)
    return bad("invalid host '" + host + "': expected an IPv4 address or a host name");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535)
    return bad("invalid port '" + port_text + "': expected 1..65535");
  return etcd_endpoint{host, static_cast<uint16_t>(port), scheme + rest};
}

namespace {

/// At most 200 bytes of `text`, for messages that quote an answer.
std::string excerpt(const std::string& text) {
  return text.size() <= 200 ? text : text.substr(0, 200) + "...";
}

/// How one request went on the wire.
struct exchange_outcome {
  beast::error_code ec;
  const char* stage = "connect"; ///< the step that failed: resolve, connect, send, read
  bool answer_started = false;   ///< some byte of the answer had arrived
  http::response<http::string_body> response;
};

} // namespace

struct etcd_transport::impl {
  etcd_endpoint endpoint;
  std::chrono::milliseconds timeout;
  std::size_t max_body_bytes = 0;
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  /// Runs the asynchronous operation that `start` begins to completion; returns its error.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code outcome;
    ioc.restart();
    start([&outcome](beast::error_code ec, auto&&...) { outcome = ec; });
    ioc.run();
    return outcome;
  }

  void close() {
    stream.reset();
    buffer.clear();
  }

  /// Whether the idle connection became readable: etcd closed or reset it (or sent bytes
  /// nobody asked for). Either way it cannot carry the next request.
  bool peer_closed() {
    pollfd p{stream->socket().native_handle(), POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) != 0;
  }

  beast::error_code open(clock_type::time_point deadline, exchange_outcome& out) {
    std::vector<tcp::endpoint> targets;
    beast::error_code ec;
    auto address = asio::ip::make_address_v4(endpoint.host, ec);
    if (!ec) {
      targets.emplace_back(address, endpoint.port);
    } else {
      out.stage = "resolve";
      tcp::resolver resolver{ioc};
      auto found = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
      if (ec)
        return ec;
      for (const auto& entry : found)
        targets.push_back(entry.endpoint());
    }
    out.stage = "connect";
    stream.emplace(ioc);
    stream->expires_at(deadline);
    ec = run([&](auto handler) { stream->async_connect(targets, std::move(handler)); });
    if (ec)
      close();
    return ec;
  }

  exchange_outcome exchange(const std::string& path, const std::string& payload,
                            clock_type::time_point deadline) {
    exchange_outcome out;
    if (!stream && (out.ec = open(deadline, out)))
      return out;
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, endpoint.host + ":" + std::to_string(endpoint.port));
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = payload;
    req.prepare_payload();
    out.stage = "send";
    stream->expires_at(deadline);
    out.ec = run([&](auto handler) { http::async_write(*stream, req, std::move(handler)); });
    if (out.ec)
      return out;
    out.stage = "read";
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    stream->expires_at(deadline);
    out.ec =
      run([&](auto handler) { http::async_read(*stream, buffer, parser, std::move(handler)); });
    out.answer_started = parser.got_some();
    if (!out.ec)
      out.response = parser.release();
    return out;
  }

  std::string where(const std::string& path) const {
    return "etcd " + endpoint.url + ": POST " + path + ": ";
  }

  presence::error transport_error(const std::string& path, const exchange_outcome& out) const {
    if (out.ec == http::error::body_limit)
      return {errc::storage_failure, where(path) + "the answer is over the limit of " +
                                       std::to_string(max_body_bytes) + " bytes"};
    bool http_error =
      out.ec.category() == http::make_error_code(http::error::bad_version).category();
    if (http_error && out.ec != http::error::end_of_stream &&
        out.ec != http::error::partial_message)
      return {errc::storage_failure, where(path) + "malformed HTTP answer: " + out.ec.message()};
    std::string within = out.ec == beast::error::timeout
                           ? " within " + std::to_string(timeout.count()) + " ms"
                           : std::string{};
    return {errc::timeout,
            where(path) + "no answer" + within + " (" + out.stage + ": " + out.ec.message() + ")"};
  }

  /// etcd's answer as JSON, or the error it reports. A streamed answer ({"result": ...}) is
  /// unwrapped.
  result<json> read_answer(const std::string& path, const http::response<http::string_body>& res,
                           int tolerated_code) const {
    auto status = static_cast<int>(res.result_int());
    std::string http_status = "HTTP " + std::to_string(status) + ": ";
    auto body = json::parse(res.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return presence::error{errc::storage_failure, where(path) + http_status +
                                                      "not a JSON object: " + excerpt(res.body())};
    // A unary call's error is {"error": text, "message": text, "code": N}; a streamed one's
    // is {"error": {"grpc_code": N, "message": text, ...}}.
    auto error_field = body.find("error");
    if (error_field != body.end()) {
      const json& details = error_field->is_object() ? *error_field : body;
      int code = details.value("grpc_code", details.value("code", -1));
      if (code == tolerated_code)
        return body;
      std::string text = details.value("message", std::string{});
      if (text.empty() && error_field->is_string())
        text = error_field->get<std::string>();
      bool unanswered = code == 4 || code == 14; // DEADLINE_EXCEEDED, UNAVAILABLE
      return presence::error{unanswered ? errc::timeout : errc::storage_failure,
                             where(path) + http_status + excerpt(text) + " (gRPC code " +
                               std::to_string(code) + ")"};
    }
    if (status != 200)
      return presence::error{errc::storage_failure,
                             where(path) + http_status + excerpt(res.body())};
    auto streamed = body.find("result");
    if (streamed != body.end() && streamed->is_object() && body.size() == 1)
      return json(std::move(*streamed));
    return body;
  }
};

etcd_transport::etcd_transport(etcd_endpoint endpoint, std::chrono::milliseconds timeout,
                               std::size_t max_body_bytes)
  : impl_(std::make_unique<impl>()) {
  impl_->endpoint = std::move(endpoint);
  impl_->timeout = timeout;
  impl_->max_body_bytes = max_body_bytes;
}

etcd_transport::~etcd_transport() = default;

const etcd_endpoint& etcd_transport::endpoint() const noexcept {
  return impl_->endpoint;
}

result<json> etcd_transport::post(const std::string& path, const json& body, bool repeatable,
                                  int tolerated_code) {
  auto& d = *impl_;
  try {
    auto deadline = clock_type::now() + d.timeout;
    std::string payload = body.dump();
    for (int attempt = 0;; ++attempt) {
      if (d.stream && d.peer_closed())
        d.close();
      bool reused = d.stream.has_value();
      auto out = d.exchange(path, payload, deadline);
      if (out.ec) {
        d.close();
        // A kept-alive connection that died unnoticed: etcd never saw the request.
        if (repeatable && reused && attempt == 0 && !out.answer_started &&
            out.ec != beast::error::timeout)
          continue;
        return d.transport_error(path, out);
      }
      if (!out.response.keep_alive())
        d.close();
      return d.read_answer(path, out.response, tolerated_code);
    }
  } catch (const std::bad_alloc&) {
    d.close();
    return presence::error{errc::resource_exhausted, d.where(path) + "out of memory"};
  } catch (const std::exception& e) {
    d.close();
    return presence::error{errc::storage_failure, d.where(path) + e.what()};
  }
}

} // namespace presence::cluster
