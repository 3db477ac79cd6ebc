// presence-load's HTTP pool against a real server on 127.0.0.1 that closes a kept-alive
// connection after one answer (what a server's idle timeout does): the next request on that
// connection fails and must go out again on a fresh one, once.
#include "http_pool.hpp"

#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using presence::load::http_answer;
using presence::load::http_pool;

/// Serves `connections` connections one after the other, one request each: answers 200 with
/// keep-alive, then closes. Records the request targets.
class closing_server {
 public:
  explicit closing_server(int connections)
    : acceptor_(io_, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}),
      thread_([this, connections] { serve(connections); }) {}
  ~closing_server() { thread_.join(); }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  std::vector<std::string> targets;  ///< read after the destructor ran

 private:
  void serve(int connections) {
    for (int i = 0; i < connections; ++i) {
      tcp::socket socket{io_};
      acceptor_.accept(socket);
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec)
        continue;
      targets.push_back(std::string{request.target()});
      http::response<http::string_body> response{http::status::ok, 11};
      response.keep_alive(true);
      response.body() = R"({"ok":true})";
      response.prepare_payload();
      http::write(socket, response, ec);
      socket.close(ec);  // as an idle timeout would, although the answer said keep-alive
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(load_http_pool, a_request_on_a_connection_the_server_closed_goes_out_again_on_a_fresh_one) {
  std::vector<unsigned> statuses;
  std::vector<std::string> targets;
  {
    closing_server server{2};
    asio::io_context io;
    http_pool pool{io, server.endpoint(), {asio::ip::make_address("127.0.0.1")}, 1};
    pool.post("/first", "", "t", [&](http_answer first) {
      statuses.push_back(first.status);
      pool.post("/second", "", "t",
                [&](http_answer second) { statuses.push_back(second.status); });
    });
    io.run();
    ASSERT_EQ(statuses, (std::vector<unsigned>{200, 200}))
      << "the second request failed on the closed connection and was not sent again";
  }
}

TEST(load_http_pool, a_failure_on_a_fresh_connection_is_not_retried) {
  asio::io_context io;
  tcp::endpoint nowhere;
  {
    // A port that was free a moment ago: the connect is refused.
    tcp::acceptor probe{io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
    nowhere = probe.local_endpoint();
  }
  http_pool pool{io, nowhere, {asio::ip::make_address("127.0.0.1")}, 1};
  int answers = 0;
  unsigned status = 999;
  pool.post("/x", "", "t", [&](http_answer answer) {
    ++answers;
    status = answer.status;
  });
  io.run();
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(status, 0u) << "a refused connect is a transport failure";
}

} // namespace
