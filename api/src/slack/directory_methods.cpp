// users.list and users.info: the user directory, in pages of ids (Slack's cursor pagination), and
// one user. Users see everyone, with what Slack shows a teammate: id, name, deleted, is_admin,
// is_bot, the profile's status fields (and a bot's always_active) and, with include_presence,
// the presence.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "slack/methods.hpp"

namespace presence::api::slack {

namespace {

/// The members of one page, filled by one presence query per user, answered when the last one is
/// back (from whichever CAF worker runs it).
struct page_join {
  std::mutex mutex;
  nlohmann::json members = nlohmann::json::array();
  std::size_t left = 0;
  std::string next_cursor;
};


void answer(const call_ptr& call, page_join& page) {
  call->ok({{"members", std::move(page.members)},
            {"response_metadata", {{"next_cursor", page.next_cursor}}}});
}

} // namespace

void users_list(const call_ptr& call) {
  auto args = call->accept(parse_users_list(call->params));
  if (!args)
    return;
  call->blocking([call, args = *args] {
    // One more than asked: whether a next page exists.
    auto users = call->gw.engine.users(args.after, args.limit + 1);
    if (!users.ok()) {
      call->fail(users.error());
      return;
    }
    auto page = std::make_shared<page_join>();
    if (users->size() > args.limit) {
      users->resize(args.limit);
      page->next_cursor = users_list_cursor(users->back().id);
    }
    for (const auto& user : *users)
      page->members.push_back(user_object(user, {}));
    page->left = users->size();
    if (page->left == 0) {
      answer(call, *page);
      return;
    }
    for (std::size_t i = 0; i < users->size(); ++i) {
      auto fill = [call, page, i, include = args.include_presence](
                    result<events::presence_view> view) {
        std::lock_guard<std::mutex> guard{page->mutex};
        auto& member = page->members[i];
        // A deactivated user has no presence actor: its profile stays empty, its presence away.
        if (view.ok()) {
          member["profile"].update(profile_json(view->status));
          if (include) {
            member["presence"] = slack_presence(view->presence);
            member["presence_detail"] = std::string(events::to_string(view->presence));
          }
        } else if (include) {
          member["presence"] = "away";
          member["presence_detail"] = "offline";
        }
        if (--page->left == 0)
          answer(call, *page);
      };
      call->gw.engine.run_async(command::query{(*users)[i].id, std::nullopt},
                                call->guarded(std::move(fill)));
    }
  });
}

void users_info(const call_ptr& call) {
  auto args = call->accept(parse_required(call->params, "user"));
  if (!args)
    return;
  // The record from the supervisor's memory; the status from the user's actor (a bot has none,
  // a deactivated user no actor).
  call->gw.engine.run_async(
    command::user_info{*args}, call->guarded([call](result<events::user_record> user) {
      if (!user.ok()) {
        call->fail(user.error());
        return;
      }
      if (user->bot || !user->active) {
        call->ok({{"user", user_object(*user, {})}});
        return;
      }
      call->gw.engine.run_async(
        command::query{user->id, std::nullopt},
        call->guarded([call, record = *user](result<events::presence_view> view) {
          if (view.ok())
            call->ok({{"user", user_object(record, view->status)}});
          else
            call->fail(view.error());
        }));
    }));
}

} // namespace presence::api::slack
