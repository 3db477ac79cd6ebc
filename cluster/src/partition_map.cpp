#include "partition_map.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "presence/cluster/node.hpp"

namespace presence::cluster {

namespace {

using json = nlohmann::json;

constexpr uint32_t max_partitions = 4096;

} // namespace

uint32_t partition_of(const std::string& user, uint32_t partitions) noexcept {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : user) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return partitions == 0 ? 0 : static_cast<uint32_t>(hash % partitions);
}

const std::string& partition_map::owner_of(const std::string& user) const {
  return owners[partition_of(user, partitions)];
}

std::vector<uint32_t> partition_map::partitions_of(const std::string& node) const {
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < owners.size(); ++p)
    if (owners[p] == node)
      out.push_back(p);
  return out;
}

result<partition_map> initial_map(const std::vector<std::string>& nodes, uint32_t partitions) {
  if (nodes.empty())
    return error{errc::invalid_setting, "cluster_nodes: no nodes to assign the partitions to"};
  if (std::set<std::string>(nodes.begin(), nodes.end()).size() != nodes.size())
    return error{errc::invalid_setting, "cluster_nodes: a node is listed twice"};
  if (partitions == 0 || partitions > max_partitions)
    return error{errc::invalid_setting, "partitions: " + std::to_string(partitions) +
                                          " is outside 1.." + std::to_string(max_partitions)};
  partition_map map;
  map.partitions = partitions;
  map.workspace_owner = nodes.front();
  for (uint32_t p = 0; p < partitions; ++p)
    map.owners.push_back(nodes[p % nodes.size()]);
  return map;
}

std::string encode_map(const partition_map& map) {
  return json{{"partitions", map.partitions},
              {"workspace_owner", map.workspace_owner},
              {"owners", map.owners}}
    .dump();
}

result<partition_map> decode_map(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  try {
    if (doc.is_object()) {
      partition_map map;
      map.partitions = doc.at("partitions").get<uint32_t>();
      map.workspace_owner = doc.at("workspace_owner").get<std::string>();
      map.owners = doc.at("owners").get<std::vector<std::string>>();
      if (map.partitions > 0 && map.owners.size() == map.partitions && !map.workspace_owner.empty())
        return map;
    }
  } catch (const json::exception&) {
  }
  return error{errc::invalid_json, "the partition map in etcd is not valid: " + text.substr(0, 200)};
}

std::string encode_member(const member_record& member) {
  return json{{"id", member.id},
              {"url", member.url},
              {"cluster_address", member.cluster_address},
              {"connections", member.connections},
              {"incarnation", member.incarnation}}
    .dump();
}

result<member_record> decode_member(const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  try {
    if (doc.is_object()) {
      member_record member;
      member.id = doc.at("id").get<std::string>();
      member.url = doc.at("url").get<std::string>();
      member.cluster_address = doc.at("cluster_address").get<std::string>();
      member.connections = doc.at("connections").get<uint64_t>();
      member.incarnation = doc.at("incarnation").get<std::string>();
      return member;
    }
  } catch (const json::exception&) {
  }
  return error{errc::invalid_json, "a member record in etcd is not valid: " + text.substr(0, 200)};
}

result<std::pair<std::string, uint16_t>> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
    return error{errc::invalid_setting, "not HOST:PORT: " + address};
  auto host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    auto port = std::stoul(address.substr(colon + 1), &used);
    if (used == address.size() - colon - 1 && port <= 65535)
      return std::pair{host, static_cast<uint16_t>(port)};
  } catch (const std::exception&) {
  }
  return error{errc::invalid_setting, "not a port number in " + address};
}

} // namespace presence::cluster
