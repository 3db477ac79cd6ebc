#include "ticket_store.hpp"

#include <utility>
#include <vector>

#include <openssl/rand.h>

namespace presence::api::rtm {

namespace {

constexpr char base64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 24 random bytes = 192 bits = 32 characters.
constexpr std::size_t ticket_bytes = 24;

} // namespace

std::string random_url_token(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (bytes == 0 || RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    return {};
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  uint32_t bits = 0;
  int pending = 0;
  for (unsigned char byte : raw) {
    bits = (bits << 8) | byte;
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out.push_back(base64url_alphabet[(bits >> pending) & 0x3f]);
    }
  }
  if (pending > 0)
    out.push_back(base64url_alphabet[(bits << (6 - pending)) & 0x3f]);
  return out;
}

std::string ticket_store::issue(credential who, int64_t now_us, int64_t ttl_us,
                                std::string client) {
  auto ticket = random_url_token(ticket_bytes);
  if (ticket.empty())
    return ticket;
  std::lock_guard<std::mutex> guard{mutex_};
  purge_locked(now_us);
  tickets_[ticket] = entry{std::move(who), now_us + ttl_us, std::move(client)};
  return ticket;
}

std::optional<credential> ticket_store::redeem(const std::string& ticket, int64_t now_us,
                                               std::string* client) {
  std::lock_guard<std::mutex> guard{mutex_};
  purge_locked(now_us);
  auto it = tickets_.find(ticket);
  if (it == tickets_.end())
    return std::nullopt;
  auto who = std::move(it->second.who);
  if (client)
    *client = std::move(it->second.client);
  tickets_.erase(it);
  return who;
}

std::size_t ticket_store::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return tickets_.size();
}

void ticket_store::purge_locked(int64_t now_us) {
  // A ticket is live strictly before its expiry instant.
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    if (it->second.expires_us <= now_us)
      it = tickets_.erase(it);
    else
      ++it;
  }
}

} // namespace presence::api::rtm
