// etcd_client.hpp: each call one JSON request to etcd's v3 gateway (etcd_transport.hpp). Keys
// and values travel base64-encoded; etcd's int64 fields come back as JSON strings.
#include "etcd_client.hpp"

#include <charconv>
#include <cstdio>
#include <mutex>
#include <new>
#include <utility>

#include <boost/beast/core/detail/base64.hpp>
#include <nlohmann/json.hpp>

#include "etcd_transport.hpp"

namespace presence::cluster {

namespace base64 = boost::beast::detail::base64;
using json = nlohmann::json;

namespace {

std::string base64_encode(const std::string& bytes) {
  std::string text(base64::encoded_size(bytes.size()), '\0');
  text.resize(base64::encode(text.data(), bytes.data(), bytes.size()));
  return text;
}

/// Decodes padded base64 into `bytes`; false when `text` is not padded base64.
bool base64_decode(const std::string& text, std::string& bytes) {
  if (text.size() % 4 != 0)
    return false;
  bytes.resize(base64::decoded_size(text.size()));
  auto [written, read] = base64::decode(bytes.data(), text.data(), text.size());
  if (text.size() - read > 2 || text.find_first_not_of('=', read) != std::string::npos)
    return false;
  bytes.resize(written);
  return true;
}

/// `key` quoted for a message: printable ASCII as is, other bytes as \xNN, at most 100 bytes.
std::string printable_key(const std::string& key) {
  std::string text = "'";
  for (std::size_t i = 0; i < key.size() && i < 100; ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      text.push_back(static_cast<char>(c));
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      text += escaped;
    }
  }
  return text + (key.size() > 100 ? "...'" : "'");
}

/// The first key after every key that starts with `prefix`; "\0" (no end: every key from the
/// start key on) when there is none, i.e. for "" or a prefix of 0xff bytes only.
std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

/// Reads an int64 field: etcd sends them as JSON strings ("12"), and omits zeros. False when the
/// field is neither absent, an integer nor a string holding one.
bool read_int64(const json& object, const char* name, int64_t& out) {
  out = 0;
  auto field = object.find(name);
  if (field == object.end())
    return true;
  if (field->is_number_integer()) {
    out = field->get<int64_t>();
    return true;
  }
  if (!field->is_string())
    return false;
  const auto& text = field->get_ref<const std::string&>();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

presence::error unexpected(const std::string& what, const std::string& detail) {
  return {errc::storage_failure, what + ": unexpected answer from etcd: " + detail};
}

result<etcd_kv> read_kv(const std::string& what, const json& entry) {
  etcd_kv kv;
  auto key = entry.find("key");
  auto value = entry.find("value");
  if (key == entry.end() || !key->is_string() || !base64_decode(key->get<std::string>(), kv.key))
    return unexpected(what, "a key-value without a base64 key");
  if (value != entry.end() &&
      (!value->is_string() || !base64_decode(value->get<std::string>(), kv.value)))
    return unexpected(what, "the value of " + printable_key(kv.key) + " is not base64");
  if (!read_int64(entry, "create_revision", kv.create_revision) ||
      !read_int64(entry, "mod_revision", kv.mod_revision) || !read_int64(entry, "lease", kv.lease))
    return unexpected(what,
                      "a revision or lease of " + printable_key(kv.key) + " is not an integer");
  return kv;
}

/// The "kvs" of a range answer, in etcd's order (by key).
result<std::vector<etcd_kv>> read_kvs(const std::string& what, const json& answer) {
  std::vector<etcd_kv> kvs;
  auto list = answer.find("kvs");
  if (list == answer.end())
    return kvs;
  if (!list->is_array())
    return unexpected(what, "\"kvs\" is not an array");
  for (const auto& entry : *list) {
    auto kv = read_kv(what, entry);
    if (!kv)
      return kv.error();
    kvs.push_back(std::move(*kv));
  }
  return kvs;
}

json put_request(const std::string& key, const std::string& value, int64_t lease) {
  json request = {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease != 0)
    request["lease"] = std::to_string(lease);
  return request;
}

/// Runs `call` and turns an exception (a JSON type error, memory) into an error value.
template <class Call>
auto guarded(const std::string& what, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::bad_alloc&) {
    return presence::error{errc::resource_exhausted, what + ": out of memory"};
  } catch (const std::exception& e) {
    return unexpected(what, e.what());
  }
}

/// One request under `mutex`; an error names `what` (the operation and key) first.
result<json> request(std::mutex& mutex, etcd_transport& transport, const std::string& what,
                     const char* path, const json& body, bool repeatable, int tolerated_code = -1) {
  auto answer = [&] {
    std::lock_guard<std::mutex> lock{mutex};
    return transport.post(path, body, repeatable, tolerated_code);
  }();
  if (!answer)
    return presence::error{answer.error().code, what + ": " + answer.error().message};
  return answer;
}

} // namespace

result<std::unique_ptr<etcd_client>> etcd_client::connect(const std::string& url,
                                                          std::chrono::milliseconds timeout,
                                                          std::size_t max_answer_bytes) {
  auto endpoint = parse_etcd_url(url);
  if (!endpoint)
    return endpoint.error();
  if (timeout.count() <= 0)
    return presence::error{errc::invalid_setting, "etcd client for " + url + ": timeout " +
                                                    std::to_string(timeout.count()) +
                                                    " ms is not positive"};
  if (max_answer_bytes == 0)
    return presence::error{errc::invalid_setting,
                           "etcd client for " + url + ": an answer limit of 0 bytes"};
  auto transport =
    std::make_unique<etcd_transport>(std::move(*endpoint), timeout, max_answer_bytes);
  return std::unique_ptr<etcd_client>(new etcd_client(std::move(transport)));
}

etcd_client::etcd_client(std::unique_ptr<etcd_transport> transport)
  : transport_(std::move(transport)) {}

etcd_client::~etcd_client() = default;

const std::string& etcd_client::url() const noexcept {
  return transport_->endpoint().url;
}

result<int64_t> etcd_client::grant_lease(std::chrono::seconds ttl) {
  std::string what = "grant_lease of " + std::to_string(ttl.count()) + " s";
  if (ttl.count() <= 0)
    return presence::error{errc::invalid_argument, what + ": the TTL must be positive"};
  return guarded(what, [&]() -> result<int64_t> {
    auto answer =
      request(mutex_, *transport_, what, "/v3/lease/grant", json{{"TTL", ttl.count()}}, true);
    if (!answer)
      return answer.error();
    int64_t id = 0;
    if (!read_int64(*answer, "ID", id) || id == 0)
      return unexpected(what, "no lease ID");
    return id;
  });
}

result<bool> etcd_client::keep_alive(int64_t lease) {
  std::string what = "keep_alive of lease " + std::to_string(lease);
  return guarded(what, [&]() -> result<bool> {
    auto answer = request(mutex_, *transport_, what, "/v3/lease/keepalive",
                          json{{"ID", std::to_string(lease)}}, true);
    if (!answer)
      return answer.error();
    // etcd answers a lease it does not know with no TTL (0) rather than an error.
    int64_t ttl = 0;
    if (!read_int64(*answer, "TTL", ttl))
      return unexpected(what, "a TTL that is not an integer");
    return ttl > 0;
  });
}

status etcd_client::revoke_lease(int64_t lease) {
  std::string what = "revoke_lease of lease " + std::to_string(lease);
  return guarded(what, [&]() -> status {
    auto answer = request(mutex_, *transport_, what, "/v3/lease/revoke",
                          json{{"ID", std::to_string(lease)}}, true, grpc_not_found);
    if (!answer)
      return answer.error();
    return status::success();
  });
}

status etcd_client::put(const std::string& key, const std::string& value, int64_t lease) {
  std::string what = "put " + printable_key(key);
  return guarded(what, [&]() -> status {
    auto answer =
      request(mutex_, *transport_, what, "/v3/kv/put", put_request(key, value, lease), true);
    if (!answer)
      return answer.error();
    return status::success();
  });
}

result<bool> etcd_client::create_if_absent(const std::string& key, const std::string& value,
                                           std::string* existing, int64_t lease) {
  std::string what = "create_if_absent " + printable_key(key);
  return guarded(what, [&]() -> result<bool> {
    auto encoded_key = base64_encode(key);
    json txn = {{"compare", json::array({{{"key", encoded_key},
                                          {"target", "CREATE"},
                                          {"result", "EQUAL"},
                                          {"create_revision", "0"}}})},
                {"success", json::array({{{"request_put", put_request(key, value, lease)}}})},
                {"failure", json::array({{{"request_range", {{"key", encoded_key}}}}})}};
    auto answer = request(mutex_, *transport_, what, "/v3/kv/txn", txn, false);
    if (!answer)
      return answer.error();
    if (answer->value("succeeded", false))
      return true;
    if (existing != nullptr) {
      // responses[0].response_range holds the existing key (the transaction read it atomically).
      const auto& responses = answer->at("responses");
      auto kvs = read_kvs(what, responses.at(0).at("response_range"));
      if (!kvs)
        return kvs.error();
      if (kvs->size() != 1)
        return unexpected(what, "the key neither created nor found");
      *existing = std::move(kvs->front().value);
    }
    return false;
  });
}

result<bool> etcd_client::replace_if(const std::string& key, int64_t mod_revision,
                                     const std::string& value, int64_t lease) {
  std::string what =
    "replace_if " + printable_key(key) + " at revision " + std::to_string(mod_revision);
  return guarded(what, [&]() -> result<bool> {
    json txn = {{"compare", json::array({{{"key", base64_encode(key)},
                                          {"target", "MOD"},
                                          {"result", "EQUAL"},
                                          {"mod_revision", std::to_string(mod_revision)}}})},
                {"success", json::array({{{"request_put", put_request(key, value, lease)}}})}};
    auto answer = request(mutex_, *transport_, what, "/v3/kv/txn", txn, false);
    if (!answer)
      return answer.error();
    return answer->value("succeeded", false);
  });
}

result<std::optional<etcd_kv>> etcd_client::get(const std::string& key) {
  std::string what = "get " + printable_key(key);
  return guarded(what, [&]() -> result<std::optional<etcd_kv>> {
    auto answer =
      request(mutex_, *transport_, what, "/v3/kv/range", json{{"key", base64_encode(key)}}, true);
    if (!answer)
      return answer.error();
    auto kvs = read_kvs(what, *answer);
    if (!kvs)
      return kvs.error();
    if (kvs->empty())
      return std::optional<etcd_kv>{};
    if (kvs->size() != 1 || kvs->front().key != key)
      return unexpected(what, "another key or several keys");
    return std::optional<etcd_kv>{std::move(kvs->front())};
  });
}

result<std::vector<etcd_kv>> etcd_client::get_prefix(const std::string& prefix) {
  std::string what = "get_prefix " + printable_key(prefix);
  return guarded(what, [&]() -> result<std::vector<etcd_kv>> {
    // etcd reads [key, range_end); a key "\0" with range_end "\0" is every key.
    std::string start = prefix.empty() ? std::string(1, '\0') : prefix;
    json range = {{"key", base64_encode(start)},
                  {"range_end", base64_encode(prefix_end(prefix))},
                  {"sort_order", "ASCEND"},
                  {"sort_target", "KEY"}};
    auto answer = request(mutex_, *transport_, what, "/v3/kv/range", range, true);
    if (!answer)
      return answer.error();
    return read_kvs(what, *answer);
  });
}

status etcd_client::erase(const std::string& key) {
  std::string what = "erase " + printable_key(key);
  return guarded(what, [&]() -> status {
    auto answer = request(mutex_, *transport_, what, "/v3/kv/deleterange",
                          json{{"key", base64_encode(key)}}, true);
    if (!answer)
      return answer.error();
    return status::success();
  });
}

} // namespace presence::cluster
