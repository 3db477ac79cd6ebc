// End-to-end: what the real-time API refuses. Bad frames get Slack-shaped error frames and the
// socket stays usable; too many ids; the rate limit; an oversize frame closes the socket (1009).

#include <string>
#include <vector>

#include "rtm_fixture.hpp"

namespace presence::test {
namespace {

constexpr int max_subscription = 3;
constexpr int max_frame_bytes = 8192;  // room for 501 short ids

class rtm_errors : public rtm_suite<rtm_errors> {
 public:
  static std::vector<std::string> server_args() {
    return {"--max-subscription", std::to_string(max_subscription),
            "--max-frame-bytes", std::to_string(max_frame_bytes),
            "--sub-rate-per-s", "2"};
  }
};

json ids(int count) {
  json list = json::array();
  for (int i = 0; i < count; ++i)
    list.push_back("U" + std::to_string(i));
  return list;
}

TEST_F(rtm_errors, bad_frames_get_error_frames_and_the_socket_stays_open) {
  auto client = server().open(server().create_user("bad_a"));
  struct bad_case {
    std::string frame;
    std::string msg;
    int code;
  };
  const std::vector<bad_case> cases = {
    {"{not json", "invalid_json", 1},
    {"[1,2,3]", "invalid_message", 2},
    {R"({"id":5})", "invalid_message", 2},
    {R"({"type":"message","text":"hi","id":6})", "unknown_type", 3},
    {R"({"type":"presence_sub","ids":"U1"})", "invalid_ids", 4},
    {R"({"type":"presence_query","ids":["U1",7]})", "invalid_ids", 4},
    {R"({"type":"presence_query","ids":["not a user id"]})", "invalid_ids", 4},
  };
  for (const auto& c : cases) {
    ASSERT_TRUE(client->send(c.frame)) << c.frame;
    auto error = client->next_json();
    ASSERT_TRUE(error.has_value()) << "no answer to " << c.frame;
    EXPECT_TRUE(is_error(*error, c.msg)) << c.frame << " -> " << error->dump();
    EXPECT_EQ(error->at("error").value("code", 0), c.code) << error->dump();
    EXPECT_TRUE(error->at("error").contains("detail")) << error->dump();
  }
  auto pong = client->barrier();
  ASSERT_TRUE(pong.has_value()) << "the socket still answers after bad frames";
  EXPECT_TRUE(pong->empty());
  EXPECT_FALSE(client->closed());
}

TEST_F(rtm_errors, error_echoes_the_client_id_as_reply_to) {
  auto client = server().open(server().create_user("bad_b"));
  ASSERT_TRUE(client->send(R"({"type":"nonsense","id":77})"));
  auto error = client->next_json();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->value("reply_to", 0), 77) << error->dump();
}

TEST_F(rtm_errors, too_many_ids) {
  auto client = server().open(server().create_user("many_a"));
  ASSERT_TRUE(client->send(json{{"type", "presence_query"}, {"ids", ids(501)}}));
  auto error = client->next_json();
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(is_error(*error, "too_many_ids")) << error->dump();

  ASSERT_TRUE(client->send(json{{"type", "presence_sub"}, {"ids", ids(max_subscription + 1)}}));
  error = client->next_json();
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(is_error(*error, "too_many_ids")) << error->dump();
  EXPECT_NE(error->at("error").value("detail", "").find(std::to_string(max_subscription)),
            std::string::npos)
    << error->dump();
  EXPECT_TRUE(client->barrier().has_value());
}

TEST_F(rtm_errors, presence_sub_and_query_are_rate_limited) {
  auto client = server().open(server().create_user("rate_a"));
  server().create_user("rate_b");
  const double before = server().metric("presence_ratelimited_total");
  // A burst of 2 is allowed; the third of five back-to-back requests cannot be.
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(client->send(json{{"type", "presence_query"}, {"ids", {"rate_b"}}, {"id", i}}));
  std::vector<json> frames;
  auto limited = client->await([](const json& f) { return is_error(f, "ratelimited"); },
                               milliseconds(5000), &frames);
  ASSERT_TRUE(limited.has_value()) << "no ratelimited error";
  EXPECT_EQ(limited->at("error").value("code", 0), 6);
  EXPECT_TRUE(limited->contains("reply_to"));
  EXPECT_GT(server().metric("presence_ratelimited_total"), before);
  EXPECT_TRUE(client->barrier().has_value()) << "the socket stays open";
}

TEST_F(rtm_errors, oversize_frame_closes_the_socket_with_1009) {
  auto client = server().open(server().create_user("big_a"));
  std::string big = R"({"type":"ping","pad":")" + std::string(2 * max_frame_bytes, 'x') + "\"}";
  client->send(big);  // may already fail if the server closed first
  ASSERT_TRUE(client->await_close(milliseconds(5000))) << "the server keeps an oversize sender";
  EXPECT_EQ(client->close_reason().code, 1009u) << client->read_error();
  auto watcher = server().open(server().create_user("big_w"));
  ASSERT_TRUE(watcher->send(json{{"type", "presence_sub"}, {"ids", {"big_a"}}}));
  ASSERT_TRUE(watcher->await([](const json& f) { return is_change(f, "big_a", "away"); }));
  EXPECT_TRUE(server().logged("rtm big_a: disconnected", "(kicked)"));
}

TEST_F(rtm_errors, frame_just_under_the_limit_is_served) {
  auto client = server().open(server().create_user("fits_a"));
  std::string fits =
    R"({"type":"ping","id":1,"pad":")" + std::string(max_frame_bytes - 64, 'x') + "\"}";
  ASSERT_LE(fits.size(), static_cast<std::size_t>(max_frame_bytes));
  ASSERT_TRUE(client->send(fits));
  auto pong = client->await_type("pong");
  ASSERT_TRUE(pong.has_value()) << "a frame under the limit is served";
  EXPECT_EQ(pong->value("reply_to", 0), 1);
}

TEST_F(rtm_errors, binary_frames_get_an_error) {
  auto client = server().open(server().create_user("bin_a"));
  ASSERT_TRUE(client->send_binary(R"({"type":"ping","id":1})"));
  auto error = client->next_json();
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(is_error(*error, "invalid_message")) << error->dump();
  EXPECT_TRUE(client->barrier().has_value());
}

} // namespace
} // namespace presence::test
