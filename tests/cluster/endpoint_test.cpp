// A node's endpoint (cluster/src/endpoint.hpp) on a real engine, reached over CAF's network layer
// on 127.0.0.1 by two actor systems that stand for two processes of one node: a restart within
// the lease, whose old process is seen lost after the new one already connected users.

#include "endpoint.hpp"

#include <chrono>
#include <memory>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <gtest/gtest.h>

#include "messages.hpp"
#include "presence/actors/engine_caf.hpp"
#include "support/test_support.hpp"

namespace presence::cluster {
namespace {

using namespace std::chrono_literals;

/// An actor system with the engine's types and CAF's network layer.
struct system_with_middleman {
  system_with_middleman() {
    register_engine_types(config);
    config.load<caf::io::middleman>();
    config.set("logger.verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(config);
  }
  caf::actor_system_config config;
  std::unique_ptr<caf::actor_system> system;
};

/// One process of node `n3`: sends commands to the endpoint as that node's router would.
class process {
 public:
  explicit process(uint16_t port) {
    auto remote = node_.system->middleman().remote_actor("127.0.0.1", port);
    EXPECT_TRUE(remote) << node_.system->render(remote.error());
    endpoint_ = *remote;
  }
  caf::node_id id() const { return node_.system->node(); }
  /// Sends `connect(alice, conn)` from this process; true when acknowledged.
  bool connect(const std::string& conn) {
    caf::scoped_actor self{*node_.system};
    bool acknowledged = false;
    self->request(endpoint_, 10s, call_atom::value, std::string{"n3"},
                  command::connect{"alice", conn, "web", origin{}})
      .receive([&] { acknowledged = true; }, [&](caf::error& err) {
        ADD_FAILURE() << node_.system->render(err);
      });
    return acknowledged;
  }

 private:
  system_with_middleman node_;
  caf::actor endpoint_;
};

class endpoint_test : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_config config;
    config.db_path = dir_.sub("db");
    auto opened = open_engine(*owner_.system, config);
    ASSERT_TRUE(opened.ok()) << describe(opened.error());
    engine_ = std::move(opened.value());
    ASSERT_TRUE(engine_->create_user("alice", "Alice", false).ok());
    endpoint_ = spawn_endpoint(*owner_.system, endpoint_config{engine_.get(), "n1", {},
                                                               std::make_shared<traffic>()});
    auto port = owner_.system->middleman().publish(endpoint_, 0, "127.0.0.1", true);
    ASSERT_TRUE(port) << owner_.system->render(port.error());
    port_ = *port;
  }
  void TearDown() override {
    caf::anon_send_exit(endpoint_, caf::exit_reason::user_shutdown);
    if (engine_)
      (void)engine_->shutdown();
  }

  uint64_t connections() { return engine_->query("alice")->connection_count; }

  test::temp_dir dir_;
  system_with_middleman owner_;
  std::unique_ptr<engine> engine_;
  caf::actor endpoint_;
  uint16_t port_ = 0;
};

TEST_F(endpoint_test, a_lost_process_closes_only_its_own_connections) {
  process old_process{port_};
  process new_process{port_};
  ASSERT_NE(old_process.id(), new_process.id());
  ASSERT_TRUE(old_process.connect("c-old"));
  // The node restarted within its lease: its new process connects before the old one is lost.
  ASSERT_TRUE(new_process.connect("c-new"));
  ASSERT_EQ(connections(), 2u);
  caf::anon_send(endpoint_, lost_atom::value, std::string{"n3"}, old_process.id());
  ASSERT_TRUE(test::eventually([&] { return connections() == 1; }));
  // c-old is the one closed (node_lost): closing it again finds nothing.
  EXPECT_EQ(engine_->disconnect("alice", "c-old").error().code, errc::unknown_connection);
  // The new process lost too: nothing left open.
  caf::anon_send(endpoint_, lost_atom::value, std::string{"n3"}, new_process.id());
  ASSERT_TRUE(test::eventually([&] { return connections() == 0; }));
}

TEST_F(endpoint_test, a_lost_node_of_unknown_process_closes_all_its_connections) {
  process one{port_};
  process two{port_};
  ASSERT_TRUE(one.connect("c1"));
  ASSERT_TRUE(two.connect("c2"));
  caf::anon_send(endpoint_, lost_atom::value, std::string{"n3"}, caf::node_id{});
  ASSERT_TRUE(test::eventually([&] { return connections() == 0; }));
}

} // namespace
} // namespace presence::cluster
