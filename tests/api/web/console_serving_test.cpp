// End-to-end: the real presenced serves the web console at / (compiled in) and, with --web-dir,
// a folder instead; the API paths keep answering as before.

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace presence::test {
namespace {

/// Sends `request` as raw bytes (paths a client library would normalise) and returns the answer.
std::string raw_exchange(const presenced_process& process, const std::string& request) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  socket.connect({boost::asio::ip::make_address(process.host()), process.port()});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  char buffer[4096];
  for (;;) {
    auto n = socket.read_some(boost::asio::buffer(buffer), ec);
    answer.append(buffer, n);
    if (ec)
      break;
  }
  return answer;
}

TEST(console_serving, the_root_serves_the_console_with_its_headers) {
  api_server server;
  auto page = server.http().get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("js/main.js"), std::string::npos);
  EXPECT_NE(page.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page.header("Referrer-Policy"), "no-referrer");
  auto etag = page.header("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = server.http().get("/", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  auto script = server.http().get("/js/main.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
  // The API is untouched: unknown methods and paths answer as before.
  EXPECT_EQ(server.http().get("/api/no.such").json()["error"], "unknown_method");
  auto missing = server.http().get("/missing.js");
  EXPECT_EQ(missing.status, 404);
  expect_slack_error(missing.json(), "not_found");
}

/// The value of header `name` in the first header block of `answer` ("" when absent).
std::string header_of(const std::string& answer, const std::string& name) {
  auto end = answer.find("\r\n\r\n");
  auto at = answer.find("\r\n" + name + ": ");
  if (at == std::string::npos || at > end)
    return {};
  at += name.size() + 4;
  return answer.substr(at, answer.find("\r\n", at) - at);
}

TEST(console_serving, head_answers_get_s_headers_without_the_body) {
  api_server server;
  for (const char* path : {"/", "/js/main.js", "/console.css"}) {
    auto get = server.http().get(path);
    ASSERT_EQ(get.status, 200) << path;
    // HEAD then GET on one connection: the second answer starts right after the first's
    // headers, so no body bytes were sent.
    auto answer = raw_exchange(server.process(),
                               std::string("HEAD ") + path + " HTTP/1.1\r\nHost: x\r\n\r\n" +
                                 "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << path << "\n" << answer;
    EXPECT_EQ(header_of(answer, "Content-Length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(header_of(answer, "ETag"), get.header("ETag")) << path;
    EXPECT_EQ(header_of(answer, "Content-Type"), get.header("Content-Type")) << path;
    EXPECT_EQ(header_of(answer, "Content-Security-Policy"), get.header("Content-Security-Policy"));
    auto end = answer.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(answer.substr(end + 4, 12), "HTTP/1.1 200") << path << "\n" << answer;
    EXPECT_EQ(answer.substr(answer.size() - 3), "ok\n") << answer;
  }
  // A matching validator: 304 for HEAD as for GET; other methods are refused with Allow.
  auto etag = server.http().get("/").header("ETag");
  auto revalidated = raw_exchange(server.process(), "HEAD / HTTP/1.1\r\nHost: x\r\nIf-None-Match: " +
                                                      etag + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(revalidated.rfind("HTTP/1.1 304", 0), 0u) << revalidated;
  auto deleted = raw_exchange(server.process(),
                              "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(deleted.rfind("HTTP/1.1 405", 0), 0u) << deleted;
  EXPECT_EQ(header_of(deleted, "Allow"), "GET, HEAD");
  auto missing = raw_exchange(server.process(),
                              "HEAD /missing.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404", 0), 0u) << missing;
  EXPECT_EQ(missing.find("not_found"), std::string::npos) << missing;  // headers only
}

TEST(console_serving, web_dir_serves_a_folder_and_nothing_outside_it) {
  temp_dir outside;
  std::filesystem::create_directories(outside.path() / "web");
  std::ofstream{outside.path() / "web" / "index.html"} << "<p>development copy</p>";
  std::ofstream{outside.path() / "secret.txt"} << "do not serve";
  api_server server({"--web-dir", outside.sub("web")});
  auto page = server.http().get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<p>development copy</p>");
  EXPECT_EQ(server.http().get("/js/main.js").status, 404);  // not the built-in copy
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"}) {
    auto answer = raw_exchange(server.process(), std::string("GET ") + target +
                                                   " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 404", 0), 0u) << target << "\n" << answer;
    EXPECT_EQ(answer.find("do not serve"), std::string::npos) << target;
  }
}

TEST(console_serving, a_web_dir_that_is_not_a_folder_stops_the_start) {
  temp_dir dir;
  auto ended = run_presenced({"--data-dir", dir.sub("data"), "--listen", "127.0.0.1:0",
                              "--admin-token", default_admin_token, "--web-dir", dir.sub("none")},
                             {}, std::chrono::seconds(30));
  EXPECT_EQ(ended.code, 2);
  EXPECT_NE(ended.stderr_text.find("web_dir"), std::string::npos) << ended.stderr_text;
}

} // namespace
} // namespace presence::test
