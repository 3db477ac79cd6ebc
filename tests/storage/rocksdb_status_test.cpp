// The single rocksdb::Status -> presence::error conversion.
#include "rocksdb_status.hpp"

#include <gtest/gtest.h>

namespace presence::storage::detail {
namespace {

TEST(rocksdb_status, no_space_is_disk_full) {
  auto err = to_error(rocksdb::Status::NoSpace("append", "No space left on device"), "append");
  EXPECT_EQ(err.code, errc::disk_full);
  EXPECT_EQ(err.message.rfind("append: ", 0), 0u) << err.message;
  EXPECT_EQ(to_error(rocksdb::Status::IOError("write", "No space left on device"), "x").code,
            errc::disk_full);
}

TEST(rocksdb_status, a_held_lock_is_database_busy) {
  auto err = to_error(
    rocksdb::Status::IOError("While lock file: /db/LOCK", "Resource temporarily unavailable"),
    "open /db");
  EXPECT_EQ(err.code, errc::database_busy);
  EXPECT_NE(err.message.find("/db/LOCK"), std::string::npos);
}

TEST(rocksdb_status, corruption_is_corrupt_record) {
  EXPECT_EQ(to_error(rocksdb::Status::Corruption("block checksum mismatch"), "read").code,
            errc::corrupt_record);
}

TEST(rocksdb_status, everything_else_is_storage_failure_with_the_text) {
  auto err = to_error(rocksdb::Status::IOError("read error", "/db/000012.sst"), "scan");
  EXPECT_EQ(err.code, errc::storage_failure);
  EXPECT_NE(err.message.find("000012.sst"), std::string::npos);
  EXPECT_EQ(to_error(rocksdb::Status::InvalidArgument("bad"), "x").code, errc::storage_failure);
  EXPECT_TRUE(to_status(rocksdb::Status::OK(), "x").ok());
  EXPECT_FALSE(to_status(rocksdb::Status::Busy(), "x").ok());
}

} // namespace
} // namespace presence::storage::detail
