#pragma once

// A campaign client's way to the server: one HTTP client to a single presenced, or in a cluster
// one per node (made again when the node came back on another port) and a random live node per
// operation. Single-threaded: one per client thread.

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "support/http_client.hpp"
#include "workload.hpp"

namespace presence::crash {

class server_link {
 public:
  explicit server_link(const run_target& target)
    : target_(target), port_(target.port),
      clients_(target.cluster != nullptr ? target.cluster->size() : 1),
      client_ports_(clients_.size(), 0) {}

  bool cluster() const { return target_.cluster != nullptr; }

  /// Chooses the node of the next operation: a random live one in a cluster (false when none is
  /// up), else the server.
  bool pick(std::mt19937& rng) {
    if (!cluster())
      return true;
    const auto count = target_.cluster->size();
    auto first = rng() % count;
    for (std::size_t i = 0; i < count; ++i) {
      node_ = (first + i) % count;
      port_ = target_.cluster->port(node_);
      if (port_ != 0)
        return true;
    }
    return false;
  }

  /// The chosen node (0 for a single server) and its HTTP port.
  std::size_t node() const { return node_; }
  uint16_t port() const { return port_; }
  /// Whether `port` is still the HTTP port of `node` (false once it was killed or restarted).
  bool current(std::size_t node, uint16_t port) const {
    return !cluster() || target_.cluster->port(node) == port;
  }

  /// How many times a node went down or came back so far (0 for a single server).
  uint64_t changes() const { return cluster() ? target_.cluster->changes() : 0; }

  /// The HTTP client of the chosen node.
  test::http_client& http() {
    auto& client = clients_[node_];
    if (!client || client_ports_[node_] != port_) {
      client = std::make_unique<test::http_client>(target_.host, port_);
      client_ports_[node_] = port_;
    }
    return *client;
  }

 private:
  const run_target& target_;
  std::size_t node_ = 0;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<test::http_client>> clients_;
  std::vector<uint16_t> client_ports_;
};

} // namespace presence::crash
