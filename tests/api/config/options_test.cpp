#include "config/options.hpp"

#include <chrono>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace presence::api::config {
namespace {

TEST(options, defaults_match_the_documented_ones) {
  presenced_options o;
  ASSERT_OK(finish(o));
  EXPECT_EQ(o.data_dir, "./data");
  EXPECT_EQ(o.engine.db_path, "./data");
  EXPECT_EQ(o.server.host, "127.0.0.1");
  EXPECT_EQ(o.server.port, 8080);
  EXPECT_TRUE(o.workspace.empty());
}

TEST(options, sets_values_by_key_with_dashes_or_underscores) {
  presenced_options o;
  ASSERT_OK(set_option(o, "max-body-bytes", "4096"));
  ASSERT_OK(set_option(o, "rate_limit_per_s", "0.5"));
  ASSERT_OK(set_option(o, "durability", "fsync"));
  ASSERT_OK(set_option(o, "journal_max_batch", "250"));
  ASSERT_OK(set_option(o, "request-timeout-ms", "2500"));
  ASSERT_OK(set_option(o, "ping_interval_ms", "1000"));
  ASSERT_OK(set_option(o, "scheduler-threads", "3"));
  ASSERT_OK(set_option(o, "flush_phases", "1"));
  EXPECT_EQ(o.server.max_body_bytes, 4096u);
  EXPECT_DOUBLE_EQ(o.server.rate_limit_per_s, 0.5);
  EXPECT_EQ(o.engine.sync, storage::durability::fsync);
  EXPECT_EQ(o.engine.max_batch, 250u);
  EXPECT_EQ(o.engine.request_timeout, std::chrono::milliseconds{2500});
  EXPECT_EQ(o.server.ping_interval, std::chrono::seconds{1});
  EXPECT_EQ(o.engine.scheduler_threads, 3u);
  EXPECT_EQ(o.engine.flush_phases, 1u);
}

TEST(options, durations_are_read_in_the_unit_their_key_names) {
  presenced_options o;
  ASSERT_OK(set_option(o, "passivate_after_s", "90"));
  ASSERT_OK(set_option(o, "keepalive_timeout_s", "5"));
  ASSERT_OK(set_option(o, "ping_interval_ms", "1500"));
  ASSERT_OK(set_option(o, "request_timeout_ms", "10"));
  EXPECT_EQ(o.engine.passivate_after, std::chrono::minutes{1} + std::chrono::seconds{30});
  EXPECT_EQ(o.server.keepalive_timeout, std::chrono::milliseconds{5000});
  EXPECT_EQ(o.server.ping_interval, std::chrono::microseconds{1'500'000});
  EXPECT_EQ(o.engine.request_timeout, std::chrono::milliseconds{10});
  ASSERT_ERRC(set_option(o, "keepalive_timeout_s", "0"), errc::invalid_setting);
  EXPECT_EQ(o.server.keepalive_timeout, std::chrono::seconds{5}) << "a refused value changes nothing";
}

TEST(options, refuses_out_of_range_and_malformed_values_naming_the_key) {
  presenced_options o;
  auto st = set_option(o, "max_body_bytes", "12");
  ASSERT_ERRC(st, errc::invalid_setting);
  EXPECT_NE(st.error().message.find("max_body_bytes"), std::string::npos);
  ASSERT_ERRC(set_option(o, "http_threads", "two"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "http_threads", "4x"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "scheduler_threads", "257"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "flush_phases", "0"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "flush_phases", "65"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "durability", "sometimes"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "rate_limit_per_s", "-1"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "rate_limit_per_s", "nan"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "log_level", "loud"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "admin_token", "short"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "no_such_option", "1"), errc::invalid_argument);
}

TEST(options, workspace_settings_use_the_domain_validation) {
  presenced_options o;
  ASSERT_OK(set_option(o, "connection_limit", "3"));
  ASSERT_OK(set_option(o, "idle_timeout", "120"));
  ASSERT_OK(set_option(o, "connection_limit", "5"));  // the last value wins, once
  ASSERT_EQ(o.workspace.size(), 2u);
  EXPECT_EQ(o.workspace[0].first, "idle_timeout");
  EXPECT_EQ(o.workspace[1], (std::pair<std::string, std::string>{"connection_limit", "5"}));
  ASSERT_ERRC(set_option(o, "idle_timeout", "0"), errc::invalid_setting);
  ASSERT_ERRC(set_option(o, "degraded_mode", "maybe"), errc::invalid_setting);
}

TEST(options, parse_listen_accepts_ipv4_and_bracketed_ipv6) {
  std::string host;
  uint16_t port = 1;
  ASSERT_OK(parse_listen("127.0.0.1:0", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_OK(parse_listen("[::1]:9000", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9000);
  ASSERT_ERRC(parse_listen("127.0.0.1", host, port), errc::invalid_setting);
  ASSERT_ERRC(parse_listen("127.0.0.1:70000", host, port), errc::invalid_setting);
  ASSERT_ERRC(parse_listen(":80", host, port), errc::invalid_setting);
  ASSERT_ERRC(parse_listen("::1:80", host, port), errc::invalid_setting);
  ASSERT_ERRC(parse_listen("host:port", host, port), errc::invalid_setting);
}

TEST(options, config_file_sets_every_kind_of_value) {
  test::temp_dir dir;
  auto path = dir.sub("presenced.json");
  std::ofstream{path} << R"({"listen": "127.0.0.1:9100", "rate_limit_burst": 7,
                            "durability": "fsync", "connection_limit": 10,
                            "log_level": "warn"})";
  presenced_options o;
  ASSERT_OK(load_config_file(o, path));
  ASSERT_OK(finish(o));
  EXPECT_EQ(o.server.port, 9100);
  EXPECT_DOUBLE_EQ(o.server.rate_limit_burst, 7);
  EXPECT_EQ(o.engine.sync, storage::durability::fsync);
  EXPECT_EQ(o.log_level, "warn");
  ASSERT_EQ(o.workspace.size(), 1u);
  EXPECT_EQ(o.workspace[0].second, "10");
}

TEST(options, config_file_errors_name_the_file_and_key) {
  test::temp_dir dir;
  presenced_options o;
  ASSERT_ERRC(load_config_file(o, dir.sub("missing.json")), errc::storage_failure);

  auto bad_json = dir.sub("bad.json");
  std::ofstream{bad_json} << "{listen:";
  ASSERT_ERRC(load_config_file(o, bad_json), errc::invalid_json);

  auto not_object = dir.sub("array.json");
  std::ofstream{not_object} << "[1]";
  ASSERT_ERRC(load_config_file(o, not_object), errc::invalid_json);

  auto nested = dir.sub("nested.json");
  std::ofstream{nested} << R"({"listen": {"host": "x"}})";
  ASSERT_ERRC(load_config_file(o, nested), errc::invalid_json);

  auto out_of_range = dir.sub("range.json");
  std::ofstream{out_of_range} << R"({"max_frame_bytes": 1})";
  auto st = load_config_file(o, out_of_range);
  ASSERT_ERRC(st, errc::invalid_setting);
  EXPECT_NE(st.error().message.find("range.json"), std::string::npos);
  EXPECT_NE(st.error().message.find("max_frame_bytes"), std::string::npos);
}

TEST(options, the_shipped_example_config_loads) {
  presenced_options o;
  ASSERT_OK(load_config_file(o, PRESENCE_EXAMPLE_CONFIG));
  ASSERT_OK(finish(o));
  EXPECT_EQ(o.server.port, 8080);
  EXPECT_EQ(o.workspace.size(), 2u);
}

TEST(options, every_option_in_the_table_is_settable) {
  // Each key in the table reaches a setter (a bad value is refused, never "unknown option").
  for (const auto& info : option_table()) {
    presenced_options o;
    auto st = set_option(o, info.key, "\x01");
    ASSERT_FALSE(st.ok()) << info.key;
    EXPECT_NE(st.error().code, errc::invalid_argument) << info.key << ": " << st.error().message;
  }
}

TEST(options, cluster_options_are_parsed_and_checked) {
  presenced_options o;
  ASSERT_TRUE(set_option(o, "cluster_nodes", "n1,n2,n3").ok());
  EXPECT_EQ(o.cluster.nodes, (std::vector<std::string>{"n1", "n2", "n3"}));
  for (const char* bad : {"", "n1,", ",n1", "n1,,n2", "n 1"})
    EXPECT_EQ(set_option(o, "cluster_nodes", bad).error().code, errc::invalid_setting) << bad;
  EXPECT_EQ(set_option(o, "node_id", "n/1").error().code, errc::invalid_setting);
  EXPECT_EQ(set_option(o, "partitions", "0").error().code, errc::invalid_setting);
  EXPECT_EQ(set_option(o, "cluster_lease_ttl", "1").error().code, errc::invalid_setting);
  // A cluster needs a node id; its endpoint address is split like `listen`.
  ASSERT_TRUE(set_option(o, "cluster_etcd", "http://127.0.0.1:2379").ok());
  EXPECT_EQ(finish(o).error().code, errc::invalid_setting);
  ASSERT_TRUE(set_option(o, "node_id", "n1").ok());
  ASSERT_TRUE(set_option(o, "cluster_listen", "127.0.0.1:7000").ok());
  ASSERT_TRUE(finish(o).ok());
  EXPECT_EQ(o.cluster.host, "127.0.0.1");
  EXPECT_EQ(o.cluster.port, 7000);
}

} // namespace
} // namespace presence::api::config
