#pragma once

// Which shard owns a user: one rule for the directory shards and the broadcaster shards.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace presence::actors {

/// The shard that owns `user` among `shards` shards: FNV-1a (64 bit) of the id, modulo `shards`
/// (0 when `shards` is 0). Stable across runs and platforms; every actor that sends a user's
/// commands (directory) or publishes and subscribes to a user's presence (broadcaster) routes
/// with this function. Pure and thread-safe.
constexpr std::size_t user_shard(std::string_view user, std::size_t shards) noexcept {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : user) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return shards == 0 ? 0 : static_cast<std::size_t>(hash % shards);
}

} // namespace presence::actors
