#include "web/static_site.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

#include <openssl/evp.h>

#include "web/embedded_files.hpp"

namespace presence::api::web {

namespace {

namespace fs = std::filesystem;

// Scripts, styles, images and connections (fetch, the WebSocket) from this origin only: no
// inline script or style, no plugin, no framing, forms post nowhere.
constexpr const char* content_security_policy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string etag_of(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string out = "\"";
  char hex[3];
  for (unsigned int i = 0; i < 16 && i < size; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  out += '"';
  return out;
}

site_file make_file(std::string name, std::string body) {
  site_file file;
  file.content_type = std::string(content_type_for(name));
  file.etag = etag_of(body);
  file.body = std::move(body);
  return file;
}

http::api_reply not_found() {
  http::api_reply out;
  out.status = 404;
  out.body = R"({"ok":false,"error":"not_found"})";
  return out;
}

/// Whether the If-None-Match header (a list of validators, or `*`) matches `etag`.
bool matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty())
    return false;
  if (if_none_match == "*")
    return true;
  std::size_t start = 0;
  while (start < if_none_match.size()) {
    auto comma = if_none_match.find(',', start);
    auto item = if_none_match.substr(start, comma == std::string_view::npos ? comma : comma - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item.substr(0, 2) == "W/")
      item.remove_prefix(2);  // weak comparison (RFC 9110 §13.1.2)
    if (item == etag)
      return true;
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return false;
}

} // namespace

std::string_view content_type_for(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> types = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : types)
    if (name.size() > extension.size() && name.substr(name.size() - extension.size()) == extension)
      return type;
  return "application/octet-stream";
}

bool is_safe_path(std::string_view path) {
  if (path.empty() || path.front() != '/')
    return false;
  path.remove_prefix(1);
  if (path.empty() || path.size() > 256)
    return false;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    auto segment = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty() || segment.front() == '.')
      return false;
    for (unsigned char c : segment) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
      if (!ok)
        return false;
    }
    if (slash == std::string_view::npos)
      return true;
    start = slash + 1;
  }
}

static_site static_site::embedded() {
  static_site site;
  std::size_t count = 0;
  const auto* files = embedded_files(count);
  for (std::size_t i = 0; i < count; ++i)
    site.files_.emplace(std::string(files[i].name),
                        make_file(std::string(files[i].name), std::string(files[i].bytes)));
  return site;
}

static_site static_site::folder(std::string dir) {
  static_site site;
  std::error_code ec;
  auto root = fs::weakly_canonical(fs::path(dir), ec);
  site.dir_ = ec ? std::move(dir) : root.string();
  return site;
}

std::optional<site_file> static_site::find(std::string_view name) const {
  if (dir_.empty()) {
    auto it = files_.find(name);
    if (it == files_.end())
      return std::nullopt;
    return it->second;
  }
  std::error_code ec;
  auto real = fs::canonical(fs::path(dir_) / std::string(name), ec);
  if (ec || !fs::is_regular_file(real, ec))
    return std::nullopt;
  // A symbolic link inside the folder must not lead out of it.
  auto text = real.string();
  if (text.size() <= dir_.size() || text.compare(0, dir_.size(), dir_) != 0 ||
      text[dir_.size()] != '/')
    return std::nullopt;
  std::ifstream in{real, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return make_file(std::string(name), std::move(body));
}

http::api_reply static_site::serve(const http::api_request& req) const {
  if (req.path != "/" && !is_safe_path(req.path))
    return not_found();
  auto file = find(req.path == "/" ? std::string_view{"index.html"}
                                   : std::string_view{req.path}.substr(1));
  if (!file)
    return not_found();
  // HEAD is answered as GET; the connection sends its headers without the body.
  if (req.method != "GET" && req.method != "HEAD") {
    http::api_reply out;
    out.status = 405;
    out.body = R"({"ok":false,"error":"method_not_supported"})";
    out.headers.emplace_back("Allow", "GET, HEAD");
    return out;
  }
  http::api_reply out;
  out.headers = {{"ETag", file->etag},
                 {"Cache-Control", "no-cache"},
                 {"Content-Security-Policy", content_security_policy},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"},
                 {"X-Frame-Options", "DENY"}};
  out.content_type = file->content_type;
  if (matches(req.if_none_match, file->etag)) {
    out.status = 304;
    return out;
  }
  out.status = 200;
  out.body = std::move(file->body);
  return out;
}

} // namespace presence::api::web
