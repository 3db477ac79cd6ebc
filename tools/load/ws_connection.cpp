// RTM WebSocket client connections for presence-load (Beast, asynchronous).
#include "ws_connection.hpp"

#include <deque>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace presence::load {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ws_connection::impl {
  impl(asio::io_context& io, tcp::endpoint server_endpoint, asio::ip::address source_address,
       std::string request_target, ws_events* sink, std::string token)
    : server(server_endpoint), source(source_address), target(std::move(request_target)),
      bearer(std::move(token)), events(sink), ws(io) {}

  tcp::endpoint server;
  asio::ip::address source;
  std::string target;
  std::string bearer;
  std::deque<std::string> outbox;  ///< frames to send; the front one is being written
  ws_events* events;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::string type;
  bool ready = false;
  bool closing = false;
};

ws_connection::ws_connection(asio::io_context& io, tcp::endpoint server,
                             asio::ip::address source, std::string target, ws_events* events,
                             std::string bearer)
  : impl_(std::make_unique<impl>(io, server, source, std::move(target), events,
                                 std::move(bearer))) {}

ws_connection::~ws_connection() = default;

void ws_connection::start() {
  auto& socket = beast::get_lowest_layer(impl_->ws).socket();
  beast::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec)
    socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    socket.bind(tcp::endpoint{impl_->source, 0}, ec);
  if (ec) {
    impl_->events->ready(false, "bind " + impl_->source.to_string() + ": " + ec.message());
    return;
  }
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(impl_->ws).async_connect(
    impl_->server, [self = shared_from_this()](beast::error_code error) {
      if (error)
        self->impl_->events->ready(false, "connect: " + error.message());
      else
        self->handshake();
    });
}

void ws_connection::handshake() {
  if (!impl_->bearer.empty())
    impl_->ws.set_option(websocket::stream_base::decorator(
      [token = impl_->bearer](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + token);
      }));
  impl_->ws.async_handshake("127.0.0.1", impl_->target,
                            [self = shared_from_this()](beast::error_code error) {
                              auto& d = *self->impl_;
                              if (error) {
                                d.events->ready(false, "handshake: " + error.message());
                                return;
                              }
                              // Beast answers the server's pings inside the pending read.
                              beast::get_lowest_layer(d.ws).expires_never();
                              d.ws.set_option(websocket::stream_base::timeout::suggested(
                                beast::role_type::client));
                              d.ws.text(true);
                              self->read_next();
                            });
}

void ws_connection::read_next() {
  impl_->ws.async_read(impl_->buffer,
                       [self = shared_from_this()](beast::error_code error, std::size_t) {
                         self->on_read(error);
                       });
}

void ws_connection::on_read(const boost::system::error_code& error) {
  auto& d = *impl_;
  if (error) {
    if (!d.ready)
      d.events->ready(false, "read before hello: " + error.message());
    else if (!d.closing)
      d.events->closed(error.message());
    return;
  }
  auto data = d.buffer.cdata();
  std::string_view frame{static_cast<const char*>(data.data()), data.size()};
  if (d.events->frame)
    d.events->frame();
  bool change = parse_presence_change(frame, d.type, d.events->presence);
  if (!change && d.type == "error" && d.events->rtm_error)
    d.events->rtm_error(std::string{frame.substr(0, 200)});
  d.buffer.consume(d.buffer.size());
  if (change && d.events->presence_frame)
    d.events->presence_frame();
  if (!change && d.type == "hello" && !d.ready) {
    d.ready = true;
    d.events->ready(true, {});
  }
  read_next();
}

void ws_connection::send(std::string frame) {
  impl_->outbox.push_back(std::move(frame));
  if (impl_->outbox.size() == 1)
    write_next();
}

void ws_connection::write_next() {
  auto& d = *impl_;
  d.ws.async_write(asio::buffer(d.outbox.front()),
                   [self = shared_from_this()](beast::error_code error, std::size_t) {
                     auto& w = *self->impl_;
                     w.outbox.pop_front();
                     if (error) {
                       if (!w.closing)
                         w.events->closed("write: " + error.message());
                       return;
                     }
                     if (!w.outbox.empty())
                       self->write_next();
                   });
}

void ws_connection::close() {
  if (impl_->closing)
    return;
  impl_->closing = true;
  if (!impl_->ready) {
    beast::error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
    return;
  }
  beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(5));
  impl_->ws.async_close(websocket::close_code::normal,
                        [self = shared_from_this()](beast::error_code) {});
}

namespace {

/// The fields of a flat frame: `{"key":"text" | ["text",…], …}` with no escapes in any string.
struct flat_frame {
  std::string_view type, presence, presence_detail, user;
  std::vector<std::string_view> users;
  bool has_users = false;
};

/// Reads a string without escapes at `pos` (at its opening quote); false for anything else.
bool scan_string(std::string_view text, std::size_t& pos, std::string_view& out) {
  if (pos >= text.size() || text[pos] != '"')
    return false;
  const std::size_t end = text.find_first_of("\"\\", pos + 1);
  if (end == std::string_view::npos || text[end] != '"')
    return false;  // unterminated, or an escape: the slow path handles it
  out = text.substr(pos + 1, end - pos - 1);
  pos = end + 1;
  return true;
}

/// The server's presence frames, without building a JSON document (the load generator shares the
/// machine with the server: its parsing must stay cheap). False when the frame is not flat.
bool scan_flat(std::string_view text, flat_frame& out) {
  std::size_t pos = 0;
  auto expect = [&](char ch) {
    if (pos < text.size() && text[pos] == ch) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!expect('{'))
    return false;
  if (expect('}'))
    return pos == text.size();
  do {
    std::string_view key, value;
    if (!scan_string(text, pos, key) || !expect(':'))
      return false;
    if (pos < text.size() && text[pos] == '[') {
      ++pos;
      std::vector<std::string_view> items;
      if (!expect(']')) {
        do {
          std::string_view item;
          if (!scan_string(text, pos, item))
            return false;
          items.push_back(item);
        } while (expect(','));
        if (!expect(']'))
          return false;
      }
      if (key == "users") {
        out.users = std::move(items);
        out.has_users = true;
      }
      continue;
    }
    if (!scan_string(text, pos, value))
      return false;
    if (key == "type")
      out.type = value;
    else if (key == "presence")
      out.presence = value;
    else if (key == "presence_detail")
      out.presence_detail = value;
    else if (key == "user")
      out.user = value;
  } while (expect(','));
  return expect('}') && pos == text.size();
}

} // namespace

namespace {

/// The string value that follows `key` (e.g. `"id":"`) at or after `from`, up to its closing
/// quote; empty when absent. Only for presenced's own user_change frames, whose ids and the
/// load's status texts carry no escapes.
std::string_view string_after(std::string_view frame, std::string_view key, std::size_t from) {
  auto at = frame.find(key, from);
  if (at == std::string_view::npos)
    return {};
  at += key.size();
  auto end = frame.find('"', at);
  return end == std::string_view::npos ? std::string_view{} : frame.substr(at, end - at);
}

} // namespace

bool parse_presence_change(std::string_view frame, std::string& type,
                           const std::function<void(std::string_view, std::string_view)>& each) {
  // user_change: (user id, status_text), found without a parse (one frame per socket per change).
  constexpr std::string_view user_change = R"({"type":"user_change","user":{)";
  if (frame.substr(0, user_change.size()) == user_change) {
    type = "user_change";
    auto id = string_after(frame, R"("id":")", user_change.size());
    if (!id.empty())
      each(id, string_after(frame, R"("status_text":")", user_change.size()));
    return true;
  }
  if (flat_frame flat; scan_flat(frame, flat)) {
    type.assign(flat.type);
    if (type != "presence_change")
      return false;
    const std::string_view presence =
      flat.presence_detail.empty() ? flat.presence : flat.presence_detail;
    if (flat.has_users) {
      for (auto user : flat.users)
        each(user, presence);
    } else if (!flat.user.empty()) {
      each(flat.user, presence);
    }
    return true;
  }
  auto parsed = nlohmann::json::parse(frame.begin(), frame.end(), nullptr, false);
  type.clear();
  if (parsed.is_discarded() || !parsed.is_object())
    return false;
  auto found = parsed.find("type");
  if (found == parsed.end() || !found->is_string())
    return false;
  type = found->get<std::string>();
  if (type != "presence_change")
    return false;
  std::string presence;
  if (auto detail = parsed.find("presence_detail"); detail != parsed.end() && detail->is_string())
    presence = detail->get<std::string>();
  else if (auto plain = parsed.find("presence"); plain != parsed.end() && plain->is_string())
    presence = plain->get<std::string>();
  if (auto users = parsed.find("users"); users != parsed.end() && users->is_array()) {
    for (const auto& user : *users)
      if (user.is_string())
        each(user.get_ref<const std::string&>(), presence);
  } else if (auto user = parsed.find("user"); user != parsed.end() && user->is_string()) {
    each(user->get_ref<const std::string&>(), presence);
  }
  return true;
}

} // namespace presence::load
