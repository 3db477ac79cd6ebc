#include "http/error_mapping.hpp"

#include <string>

#include <gtest/gtest.h>

namespace presence::api::http {
namespace {

TEST(slack_error, uses_slack_codes) {
  EXPECT_STREQ(slack_error(errc::unknown_user), "user_not_found");
  EXPECT_STREQ(slack_error(errc::invalid_user_id), "user_not_found");
  EXPECT_STREQ(slack_error(errc::invalid_presence), "invalid_presence");
  EXPECT_STREQ(slack_error(errc::invalid_status_text), "invalid_profile");
  EXPECT_STREQ(slack_error(errc::invalid_emoji), "invalid_profile");
  EXPECT_STREQ(slack_error(errc::too_long), "too_long");
  EXPECT_STREQ(slack_error(errc::expiration_in_past), "expiration_in_past");
  EXPECT_STREQ(slack_error(errc::not_admin), "not_admin");
  EXPECT_STREQ(slack_error(errc::invalid_json), "invalid_json");
  EXPECT_STREQ(slack_error(errc::user_deactivated), "account_inactive");
  EXPECT_STREQ(slack_error(errc::invalid_argument), "invalid_arguments");
}

TEST(slack_error, hides_internal_failures_behind_fatal_error) {
  for (auto code :
       {errc::storage_failure, errc::corrupt_record, errc::timeout, errc::resource_exhausted})
    EXPECT_STREQ(slack_error(code), "fatal_error") << to_string(code);
  EXPECT_STREQ(slack_error(errc::shutting_down), "service_unavailable");
}

TEST(slack_error, names_a_full_disk) {
  // A client must be able to tell "nothing was saved, retry later" from a server bug.
  EXPECT_STREQ(slack_error(errc::disk_full), "storage_full");
  EXPECT_TRUE(is_internal(errc::disk_full));  // still logged as a server fault
}

TEST(is_internal, separates_server_faults_from_request_faults) {
  EXPECT_TRUE(is_internal(errc::storage_failure));
  EXPECT_TRUE(is_internal(errc::timeout));
  EXPECT_TRUE(is_internal(errc::resource_exhausted));
  EXPECT_FALSE(is_internal(errc::unknown_user));
  EXPECT_FALSE(is_internal(errc::invalid_presence));
}

TEST(to_rc_failure, follows_rocket_chat_statuses_and_types) {
  auto user = to_rc_failure({errc::unknown_user, "x"});
  EXPECT_EQ(user.http_status, 400);
  EXPECT_EQ(user.error_type, "error-invalid-user");
  EXPECT_NE(user.error.find("[error-invalid-user]"), std::string::npos);

  auto status = to_rc_failure({errc::invalid_presence, "x"});
  EXPECT_EQ(status.http_status, 400);
  EXPECT_EQ(status.error_type, "error-invalid-status");

  auto forbidden = to_rc_failure({errc::not_admin, ""});
  EXPECT_EQ(forbidden.http_status, 403);
  EXPECT_EQ(forbidden.error_type, "error-not-allowed");

  auto internal = to_rc_failure({errc::storage_failure, "/secret/path"});
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_EQ(internal.error.find("/secret/path"), std::string::npos);

  auto full = to_rc_failure({errc::disk_full, "/secret/path: No space left"});
  EXPECT_EQ(full.http_status, 507);
  EXPECT_EQ(full.error_type, "error-storage-full");
  EXPECT_EQ(full.error.find("/secret/path"), std::string::npos);
  EXPECT_EQ(full.error, std::string{storage_full_detail} + " [error-storage-full]");
}

} // namespace
} // namespace presence::api::http
