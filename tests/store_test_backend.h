// The history store tests run on both backends: SQLite in a temporary directory, and PostgreSQL
// at KSPM_TEST_POSTGRES_URL in a fresh schema per test (skipped without the variable, failing
// under CI=true).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "kspm/store.h"
#include "store/sql.h"
#include "test_util.h"

namespace kspm::testing {

inline std::string postgresTestUrl() {
  const char* url = std::getenv("KSPM_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

/** A store location for one test; PostgreSQL: a schema created now and dropped at the end. */
class StoreLocation {
 public:
  /** Empty location() means skip (the reason in skip_reason()). */
  explicit StoreLocation(const std::string& backend) {
    if (backend == "sqlite") {
      location_ = dir_.path("history.db");
      return;
    }
    admin_url_ = postgresTestUrl();
    if (admin_url_.empty()) {
      skip_reason_ = "KSPM_TEST_POSTGRES_URL is not set (e.g. postgresql://kspm:kspm@127.0.0.1:5432/kspm_test)";
      return;
    }
    static std::atomic<int> counter{0};
    std::random_device random;
    schema_ = "kspm_t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
              std::to_string(random() % 1000000);
    auto admin = store::openPostgres(admin_url_, "test admin");
    if (!admin.ok()) {
      skip_reason_ = "cannot connect to KSPM_TEST_POSTGRES_URL: " + admin.error().message;
      failed_ = true;
      return;
    }
    auto made = admin.value()->execScript("CREATE SCHEMA " + schema_);
    if (!made.ok()) {
      skip_reason_ = "cannot create a schema: " + made.error().message;
      failed_ = true;
      return;
    }
    location_ = admin_url_ + (admin_url_.find('?') == std::string::npos ? "?" : "&") +
                "options=-csearch_path%3D" + schema_ + "&application_name=" + schema_;
  }
  ~StoreLocation() {
    if (schema_.empty() || admin_url_.empty()) return;
    auto admin = store::openPostgres(admin_url_, "test admin");
    if (admin.ok()) admin.value()->execScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  /** PostgreSQL: ends the server side of every connection opened at location() (a lost connection). */
  bool terminateConnections() const {
    auto admin = store::openPostgres(admin_url_, "test admin");
    if (!admin.ok()) return false;
    int64_t ended = 0;
    auto r = admin.value()->exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        {store::SqlValue::of(schema_)}, [&](const store::SqlRow&) { ++ended; });
    return r.ok() && ended > 0;
  }
  const std::string& location() const { return location_; }
  const std::string& skip_reason() const { return skip_reason_; }
  /** The server was configured but could not be used: a failure, not a skip. */
  bool failed() const { return failed_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string admin_url_, schema_, location_, skip_reason_;
  bool failed_ = false;
};

inline bool inCiEnv() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace kspm::testing

/** In a test: skips (or fails under CI=true or when the server is unusable) when `loc` has no location. */
#define KSPM_REQUIRE_STORE(loc)                                                                   \
  do {                                                                                           \
    if ((loc).location().empty()) {                                                              \
      if ((loc).failed() || ::kspm::testing::inCiEnv()) FAIL() << (loc).skip_reason();           \
      GTEST_SKIP() << (loc).skip_reason();                                                       \
    }                                                                                            \
  } while (0)
