#pragma once

// The partition map as etcd stores it (one JSON value, written once by a transaction), and a
// node's record. Plain C++; private to the cluster module.

#include <cstdint>
#include <string>
#include <vector>

#include "presence/events/result.hpp"

namespace presence::cluster {

/// Which node owns each partition, and which owns the workspace stream.
struct partition_map {
  uint32_t partitions = 0;
  std::string workspace_owner;
  std::vector<std::string> owners; ///< by partition number

  /// The owner of `user`'s partition.
  const std::string& owner_of(const std::string& user) const;
  /// The partitions `node` owns, ascending.
  std::vector<uint32_t> partitions_of(const std::string& node) const;
};

/// Partition p to nodes[p % nodes.size()]; the workspace to nodes[0]. Errors: `invalid_setting`
/// (no nodes, a duplicate, partitions outside 1..4096).
result<partition_map> initial_map(const std::vector<std::string>& nodes, uint32_t partitions);

std::string encode_map(const partition_map& map);
/// Errors: `invalid_json` (not the shape `encode_map` writes, or owners not one per partition).
result<partition_map> decode_map(const std::string& text);

/// A member's record in etcd (under its lease).
struct member_record {
  std::string id;
  std::string url;             ///< its HTTP API
  std::string cluster_address; ///< HOST:PORT of its node-to-node endpoint
  uint64_t connections = 0;    ///< open connections of its users
  std::string incarnation;     ///< new at every start: a restart within the lease is seen
};

std::string encode_member(const member_record& member);
/// Errors: `invalid_json`.
result<member_record> decode_member(const std::string& text);

/// Splits "HOST:PORT" (IPv6 in brackets). Errors: `invalid_setting`.
result<std::pair<std::string, uint16_t>> split_address(const std::string& address);

} // namespace presence::cluster
