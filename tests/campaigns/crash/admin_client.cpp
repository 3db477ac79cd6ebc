// The admin client: creates users, issues and revokes tokens, changes a setting, and creates,
// updates and deletes presets. Every write it makes lands in the `$workspace` stream, in order
// (in a cluster: the workspace owner's, whichever node the request went to).

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "api_call.hpp"
#include "server_link.hpp"
#include "support/presenced_process.hpp"
#include "workload.hpp"

namespace presence::crash {

namespace {

using nlohmann::json;

const char* const preset_presences[] = {"online", "away", "busy", "offline"};

class admin {
 public:
  admin(const run_target& target, ack_log& log, workload_stats& stats, campaign_book& book,
        uint32_t seed)
    : target_(target), log_(log), stats_(stats), book_(book), rng_(seed),
      link_(target) {}

  /// One random operation; false when the server is gone (never in a cluster).
  bool step() {
    ++stats_.operations;
    if (!link_.pick(rng_))
      return true;  // every node is down: nothing to try
    auto dice = rng_() % 100;
    if (dice < 15)
      return create_user();
    if (dice < 30)
      return issue_token();
    if (dice < 40)
      return revoke_token();
    if (dice < 60)
      return set_setting();
    if (dice < 75)
      return create_preset();
    if (dice < 90)
      return update_preset();
    return delete_preset();
  }

 private:
  write_record record(json match) const {
    return {"$workspace", std::move(match), target_.cycle};
  }

  void acked(json match) {
    ++stats_.acked;
    log_.acked(record(std::move(match)));
  }

  /// Settles an answer whose acknowledged events are `on_ok` (usually one); false when the server
  /// is gone. `in_flight` describes the write for the report when there was no answer.
  /// In a cluster an `unavailable` answer (the workspace owner is down) is in flight too, and the
  /// client goes on: returns true, but `answer` is not ok, so nothing is acknowledged.
  bool settle(const api_answer& answer, const char* method, json in_flight) {
    if (answer.result == outcome::no_answer || (link_.cluster() && answer.unavailable())) {
      ++stats_.in_flight;
      log_.in_flight(record(std::move(in_flight)));
      return link_.cluster();
    }
    if (link_.cluster() && answer.result == outcome::refused &&
        std::string(method) == "admin.presets.update" && answer.error() == "preset_not_found") {
      ++stats_.stale_refused;
      return true;
    }
    if (answer.result == outcome::refused) {
      stats_.fault(std::string(method) + " refused: " + answer.body.dump());
    }
    return true;
  }

  std::string serial() { return std::to_string(book_.next_serial()); }

  bool create_user() {
    std::string id = "made-r" + std::to_string(target_.cycle) + "-" + serial();
    auto answer = call_api(link_.http(), "admin.users.create", target_.admin_token,
                           "id=" + id + "&name=Made%20" + id);
    if (!settle(answer, "admin.users.create", {{"type", "user_created"}, {"user", id}}))
      return false;
    if (answer.result == outcome::ok) {
      std::string token_id = answer.body.value("token_id", "");
      acked({{"type", "user_created"}, {"user", id}, {"admin", false}});
      acked({{"type", "token_issued"}, {"id", token_id}, {"user", id}});
      book_.add_created({id, answer.body.value("token", "")});
    }
    return true;
  }

  bool issue_token() {
    const auto& user = book_.workers[rng_() % book_.workers.size()];
    auto answer =
      call_api(link_.http(), "admin.tokens.issue", target_.admin_token, "user=" + user.id);
    if (!settle(answer, "admin.tokens.issue", {{"type", "token_issued"}, {"user", user.id}}))
      return false;
    if (answer.result == outcome::ok) {
      std::string token_id = answer.body.value("token_id", "");
      acked({{"type", "token_issued"}, {"id", token_id}, {"user", user.id}});
      book_.add_token(token_id);
    }
    return true;
  }

  bool revoke_token() {
    auto token_id = book_.take_token(rng_());
    if (token_id.empty())
      return issue_token();
    json match = {{"type", "token_revoked"}, {"id", token_id}};
    auto answer = call_api(link_.http(), "admin.tokens.revoke", target_.admin_token,
                           "token_id=" + token_id);
    if (!settle(answer, "admin.tokens.revoke", match))
      return false;
    if (answer.result == outcome::ok)
      acked(std::move(match));
    return true;
  }

  bool set_setting() {
    // A value no other write uses (1000..100000), so each change is identifiable.
    std::string value = std::to_string(1000 + book_.next_serial() % 99000);
    json match = {{"type", "setting_changed"}, {"key", "max_subscription"}, {"value", value}};
    auto answer = call_api(link_.http(), "admin.settings.set", target_.admin_token,
                           "key=max_subscription&value=" + value);
    if (!settle(answer, "admin.settings.set", match))
      return false;
    if (answer.result == outcome::ok)
      acked(std::move(match));
    return true;
  }

  bool create_preset() {
    std::string name = "preset-r" + std::to_string(target_.cycle) + "-" + serial();
    std::string presence = preset_presences[rng_() % 4];
    auto answer = call_api(link_.http(), "admin.presets.create", target_.admin_token,
                           "name=" + name + "&presence=" + presence);
    json match = {{"type", "preset_created"}, {"name", name}, {"presence", presence}};
    if (!settle(answer, "admin.presets.create", match))
      return false;
    if (answer.result == outcome::ok) {
      std::string id = answer.body["preset"].value("id", "");
      match["id"] = id;
      acked(std::move(match));
      book_.add_preset(id);
    }
    return true;
  }

  bool update_preset() {
    auto id = book_.pick_preset(rng_(), false);
    if (id.empty())
      return create_preset();
    std::string name = "preset-r" + std::to_string(target_.cycle) + "-" + serial();
    std::string presence = preset_presences[rng_() % 4];
    json match = {{"type", "preset_updated"}, {"id", id}, {"name", name}, {"presence", presence}};
    auto answer = call_api(link_.http(), "admin.presets.update", target_.admin_token,
                           "id=" + id + "&name=" + name + "&presence=" + presence);
    if (!settle(answer, "admin.presets.update", match))
      return false;
    if (answer.result == outcome::ok)
      acked(std::move(match));
    return true;
  }

  bool delete_preset() {
    auto id = book_.pick_preset(rng_(), true);
    if (id.empty())
      return create_preset();
    json match = {{"type", "preset_deleted"}, {"id", id}};
    auto answer = call_api(link_.http(), "admin.presets.delete", target_.admin_token, "id=" + id);
    if (!settle(answer, "admin.presets.delete", match))
      return false;
    if (answer.result == outcome::ok)
      acked(std::move(match));
    return true;
  }

  const run_target& target_;
  ack_log& log_;
  workload_stats& stats_;
  campaign_book& book_;
  std::mt19937 rng_;
  server_link link_;
};

} // namespace

bool create_worker_users(test::http_client& http, int count, ack_log& log, campaign_book& book) {
  for (int i = 0; i < count; ++i) {
    std::string id = "worker-" + std::to_string(i);
    auto answer = call_api(http, "admin.users.create", test::default_admin_token, "id=" + id);
    if (answer.result != outcome::ok) {
      std::cerr << "crash_campaign: cannot create " << id << ": " << answer.body.dump() << '\n';
      return false;
    }
    log.acked({"$workspace", {{"type", "user_created"}, {"user", id}}, 0});
    log.acked({"$workspace",
               {{"type", "token_issued"}, {"user", id}, {"id", answer.body.value("token_id", "")}},
               0});
    book.workers.push_back({id, answer.body.value("token", "")});
  }
  return true;
}

void workload::admin_main(uint32_t seed) {
  admin client(target_, log_, stats_, book_, seed);
  std::mt19937 pace(seed ^ 0x85ebca6bu);
  while (!stopping_) {
    if (!client.step())
      return;
    if (pace_ms_ > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(pace() % (pace_ms_ + 1)));
  }
}

} // namespace presence::crash
