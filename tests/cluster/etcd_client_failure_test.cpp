// The etcd client when the URL is wrong or etcd is gone, frozen or restarted: errors as values,
// within the client's timeout, and a working connection again once etcd is back.
#include "etcd_client.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/etcd_process.hpp"
#include "support/test_support.hpp"

namespace presence::cluster {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

TEST(cluster_etcd_client_failure, a_malformed_url_is_an_invalid_setting_naming_it) {
  const std::vector<std::string> urls = {"",
                                         "127.0.0.1:2379",
                                         "https://127.0.0.1:2379",
                                         "http://127.0.0.1",
                                         "http://:2379",
                                         "http://127.0.0.1:0",
                                         "http://127.0.0.1:65536",
                                         "http://127.0.0.1:23a9",
                                         "http://127.0.0.1:2379/v3",
                                         "http://[::1]:2379",
                                         "http://user@host:2379",
                                         "http://127.0.0.1:"};
  for (const auto& url : urls) {
    auto client = etcd_client::connect(url);
    ASSERT_ERRC(client, errc::invalid_setting);
    EXPECT_NE(client.error().message.find("'" + url + "'"), std::string::npos)
      << client.error().message;
  }
  ASSERT_ERRC(etcd_client::connect("http://127.0.0.1:2379", 0ms), errc::invalid_setting);
  ASSERT_ERRC(etcd_client::connect("http://127.0.0.1:2379", 1s, 0), errc::invalid_setting);
}

TEST(cluster_etcd_client_failure, well_formed_urls_are_accepted_without_contacting_etcd) {
  for (const std::string url :
       {"http://127.0.0.1:2379", "http://etcd-1.example:2379/", "http://localhost:1"}) {
    auto client = etcd_client::connect(url);
    ASSERT_OK(client);
    EXPECT_EQ((*client)->url() + (url.back() == '/' ? "/" : ""), url);
  }
}

TEST(cluster_etcd_client_failure, a_killed_etcd_gives_an_error_within_the_timeout) {
  test::etcd_process etcd;
  const auto timeout = 1000ms;
  auto client = etcd_client::connect(etcd.url(), timeout);
  ASSERT_OK(client);
  ASSERT_OK((*client)->put("node/a", "alive")); // the kept-alive connection is open

  etcd.kill9();
  auto start = steady::now();
  auto put = (*client)->put("node/a", "still alive");
  auto get = (*client)->get("node/a");
  auto elapsed = steady::now() - start;
  ASSERT_FALSE(put.ok());
  ASSERT_FALSE(get.ok());
  for (const auto* err : {&put.error(), &get.error()}) {
    EXPECT_TRUE(err->code == errc::timeout || err->code == errc::storage_failure) << describe(*err);
    EXPECT_NE(err->message.find(etcd.url()), std::string::npos) << err->message;
    EXPECT_NE(err->message.find("'node/a'"), std::string::npos) << err->message;
  }
  EXPECT_LT(elapsed, 2 * timeout + 1s) << "two calls took longer than their timeouts";
}

TEST(cluster_etcd_client_failure, a_frozen_etcd_gives_a_timeout_and_the_client_recovers) {
  test::etcd_process etcd;
  const auto timeout = 500ms;
  auto client = etcd_client::connect(etcd.url(), timeout);
  ASSERT_OK(client);
  ASSERT_OK((*client)->put("node/b", "alive"));

  etcd.suspend();
  auto start = steady::now();
  auto get = (*client)->get("node/b");
  auto elapsed = steady::now() - start;
  ASSERT_ERRC(get, errc::timeout);
  EXPECT_NE(get.error().message.find("within 500 ms"), std::string::npos) << get.error().message;
  EXPECT_GE(elapsed, timeout - 50ms);
  EXPECT_LT(elapsed, timeout + 2s);

  etcd.resume();
  auto back = (*client)->get("node/b");
  ASSERT_OK(back);
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->value, "alive");
}

TEST(cluster_etcd_client_failure, a_restarted_etcd_is_reached_again_with_its_data) {
  test::etcd_process etcd;
  auto client = etcd_client::connect(etcd.url());
  ASSERT_OK(client);
  ASSERT_OK((*client)->put("node/c", "alive"));

  etcd.restart();
  // The connection etcd closed is replaced before the request, so even a transaction (never
  // sent twice) goes through.
  std::string existing;
  auto created = (*client)->create_if_absent("node/c", "again", &existing);
  ASSERT_OK(created);
  EXPECT_FALSE(*created);
  EXPECT_EQ(existing, "alive");
}

TEST(cluster_etcd_client_failure, an_answer_over_the_limit_is_refused_unread) {
  test::etcd_process etcd;
  auto client = etcd_client::connect(etcd.url(), 2s, 1024);
  ASSERT_OK(client);
  ASSERT_OK((*client)->put("big", std::string(2000, 'x')));
  ASSERT_OK((*client)->put("small", "y"));

  auto big = (*client)->get("big");
  ASSERT_ERRC(big, errc::storage_failure);
  EXPECT_NE(big.error().message.find("over the limit of 1024 bytes"), std::string::npos)
    << big.error().message;
  auto all = (*client)->get_prefix("");
  ASSERT_ERRC(all, errc::storage_failure);
  auto small = (*client)->get("small"); // on a new connection: the refused answer was not read
  ASSERT_OK(small);
  ASSERT_TRUE(small->has_value());
  EXPECT_EQ((*small)->value, "y");
}

} // namespace
} // namespace presence::cluster
