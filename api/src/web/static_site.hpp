#pragma once

// The web console's files (the repository's web/ folder): compiled into presenced by default, or
// read from a folder while developing (`--web-dir`). Answers GET (and HEAD) requests for every
// path the API does not claim, with the headers a browser needs to cache them and to confine the
// page: ETag + `Cache-Control: no-cache` (revalidate, 304 on a matching If-None-Match), a strict
// Content-Security-Policy (scripts, styles and connections from this origin only, no inline
// script or style), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_types.hpp"

namespace presence::api::web {

/// One file as the site serves it.
struct site_file {
  std::string body;
  std::string content_type;
  std::string etag;  ///< quoted strong validator: the first 16 bytes of the body's SHA-256, hex
};

/// The `Content-Type` for a file name by its extension (`application/octet-stream` if unknown).
std::string_view content_type_for(std::string_view name);

/// Whether `path` (a request path, "/" excluded) names a file the site may serve: segments of
/// letters, digits, '-', '_' and '.', none empty, none starting with '.' (no "..", no dot
/// files), no percent-escapes, no backslashes.
bool is_safe_path(std::string_view path);

/// Serves the embedded files, or those of a folder. Thread-safe after construction.
class static_site {
 public:
  /// The files compiled into the binary (web/ at build time).
  static static_site embedded();
  /// The files of `dir`, read at each request (edits show on reload). Files reached through a
  /// symbolic link that leaves `dir` are not served.
  static static_site folder(std::string dir);

  /// The answer to `req`: the file (200), 304 when If-None-Match matches, 404 `not_found` for an
  /// unknown or unsafe path, 405 `method_not_supported` for anything but GET and HEAD (HEAD gets
  /// GET's answer: the connection leaves the body out). "/" is `index.html`.
  http::api_reply serve(const http::api_request& req) const;

  /// Number of embedded files (0 for a folder site).
  std::size_t embedded_count() const { return files_.size(); }

 private:
  std::optional<site_file> find(std::string_view name) const;

  std::map<std::string, site_file, std::less<>> files_;  ///< embedded: by name ("index.html")
  std::string dir_;                                       ///< folder site: its root
};

} // namespace presence::api::web
