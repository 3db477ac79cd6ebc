// The web console's file server: safe paths, content types, validators, security headers, and a
// folder site that never serves what lies outside its folder (real files in a temporary directory).

#include "web/static_site.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::api::web {
namespace {

using presence::test::temp_dir;

http::api_request get(std::string path, std::string if_none_match = {}) {
  http::api_request req;
  req.method = "GET";
  req.path = std::move(path);
  req.if_none_match = std::move(if_none_match);
  return req;
}

std::string header(const http::api_reply& reply, const std::string& name) {
  for (const auto& [key, value] : reply.headers)
    if (key == name)
      return value;
  return {};
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream{path} << text;
}

TEST(static_site, safe_paths_are_plain_segments) {
  EXPECT_TRUE(is_safe_path("/index.html"));
  EXPECT_TRUE(is_safe_path("/js/main.js"));
  EXPECT_TRUE(is_safe_path("/a-b_c.1.css"));
  for (const char* bad : {"", "/", "index.html", "/../etc/passwd", "/js/../../x", "/.env",
                          "/js/.hidden", "//etc/passwd", "/js//main.js", "/js/", "/%2e%2e/x",
                          "/a\\b", "/a b", "/a?b"})
    EXPECT_FALSE(is_safe_path(bad)) << bad;
}

TEST(static_site, content_types_follow_the_extension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("js/main.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("console.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("shot.png"), "image/png");
  EXPECT_EQ(content_type_for("archive.tar"), "application/octet-stream");
  EXPECT_EQ(content_type_for("js"), "application/octet-stream");
}

TEST(static_site, the_embedded_console_is_served_at_the_root_with_security_headers) {
  auto site = static_site::embedded();
  EXPECT_GT(site.embedded_count(), 3u);
  auto root = site.serve(get("/"));
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
  EXPECT_NE(root.body.find("<script type=\"module\" src=\"js/main.js\">"), std::string::npos);
  auto csp = header(root, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(header(root, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(root, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(root, "Cache-Control"), "no-cache");
  auto etag = header(root, "ETag");
  ASSERT_EQ(etag.size(), 34u) << etag;  // a quoted 32-digit hex validator
  EXPECT_EQ(etag.front(), '"');

  auto script = site.serve(get("/js/main.js"));
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(header(script, "ETag"), etag);
}

TEST(static_site, a_matching_validator_gets_304_without_a_body) {
  auto site = static_site::embedded();
  auto first = site.serve(get("/console.css"));
  ASSERT_EQ(first.status, 200);
  auto etag = header(first, "ETag");
  auto again = site.serve(get("/console.css", etag));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header(again, "ETag"), etag);
  EXPECT_EQ(site.serve(get("/console.css", "\"other\", W/" + etag)).status, 304);
  EXPECT_EQ(site.serve(get("/console.css", "*")).status, 304);
  EXPECT_EQ(site.serve(get("/console.css", "\"other\"")).status, 200);
}

TEST(static_site, unknown_paths_and_other_methods_are_refused) {
  auto site = static_site::embedded();
  auto missing = site.serve(get("/nothing.js"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"ok":false,"error":"not_found"})");
  EXPECT_EQ(site.serve(get("/../CMakeLists.txt")).status, 404);
  auto post = get("/index.html");
  post.method = "POST";
  auto refused = site.serve(post);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(header(refused, "Allow"), "GET, HEAD");
  // HEAD gets GET's answer (the connection leaves the body out).
  auto head = get("/index.html");
  head.method = "HEAD";
  auto answered = site.serve(head);
  auto full = site.serve(get("/index.html"));
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.body, full.body);
  EXPECT_EQ(header(answered, "ETag"), header(full, "ETag"));
}

TEST(static_site, a_folder_site_reads_files_at_each_request) {
  temp_dir dir;
  write_file(dir.path() / "web" / "index.html", "<p>one</p>");
  auto site = static_site::folder(dir.sub("web"));
  auto first = site.serve(get("/"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "<p>one</p>");
  write_file(dir.path() / "web" / "index.html", "<p>two</p>");
  auto second = site.serve(get("/"));
  EXPECT_EQ(second.body, "<p>two</p>");
  EXPECT_NE(header(second, "ETag"), header(first, "ETag"));
  EXPECT_EQ(site.serve(get("/", header(second, "ETag"))).status, 304);
}

TEST(static_site, a_folder_site_serves_nothing_outside_its_folder) {
  temp_dir dir;
  write_file(dir.path() / "secret.txt", "secret");
  write_file(dir.path() / "web" / "index.html", "ok");
  write_file(dir.path() / "web" / ".env", "dot file");
  std::filesystem::create_directories(dir.path() / "web" / "sub");
  std::filesystem::create_symlink(dir.path() / "secret.txt", dir.path() / "web" / "link.txt");
  std::filesystem::create_directory_symlink(dir.path(), dir.path() / "web" / "up");
  auto site = static_site::folder(dir.sub("web"));
  for (const char* path : {"/../secret.txt", "/sub/../../secret.txt", "/link.txt", "/up/secret.txt",
                           "/.env", "/sub", "/%2e%2e/secret.txt"}) {
    auto reply = site.serve(get(path));
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.body.find("secret"), std::string::npos) << path;
  }
  EXPECT_EQ(site.serve(get("/index.html")).status, 200);
}

} // namespace
} // namespace presence::api::web
