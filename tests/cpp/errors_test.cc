#include "dccview/errors.h"

#include <gtest/gtest.h>

#include "dccview/config.h"
#include "dccview/log.h"
#include "test_support.h"

namespace dccview {
namespace {

TEST(Errors, EveryCodeThrowsItsOwnClassDerivedFromThreadSafetyError) {
  EXPECT_THROW(throw_error({ErrorCode::kTimeout, "t", nullptr}), ThreadDispatchTimeoutError);
  EXPECT_THROW(throw_error({ErrorCode::kShutdown, "s", nullptr}), ShutdownInProgressError);
  EXPECT_THROW(throw_error({ErrorCode::kDeadlock, "d", nullptr}), DeadlockDetectedError);
  EXPECT_THROW(throw_error({ErrorCode::kQueueFull, "q", nullptr}), QueueFullError);
  EXPECT_THROW(throw_error({ErrorCode::kInvalidArgument, "i", nullptr}), std::invalid_argument);
  try {
    throw_error({ErrorCode::kTimeout, "took too long", nullptr});
  } catch (const ThreadSafetyError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_STREQ(e.what(), "took too long");
  }
}

TEST(Errors, TaskFailedRethrowsTheOriginalException) {
  auto original = std::make_exception_ptr(std::out_of_range("row 12"));
  EXPECT_THROW(throw_error({ErrorCode::kTaskFailed, "x", original}), std::out_of_range);
}

TEST(Errors, ResultCarriesAValueOrAnError) {
  Result<int> good(5);
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 5);
  Result<int> bad(Error{ErrorCode::kShutdown, "closing", nullptr});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), ErrorCode::kShutdown);
  EXPECT_THROW(bad.value(), ShutdownInProgressError);
  Result<void> done;
  EXPECT_NO_THROW(done.value());
  EXPECT_STREQ(to_string(ErrorCode::kQueueFull), "queue_full");
}

TEST(Config, DefaultsAreTheRfcs) {
  ThreadSafetyConfig c;
  EXPECT_EQ(c.js_eval_timeout_ms, 5000u);
  EXPECT_EQ(c.main_thread_timeout_ms, 30000u);
  EXPECT_EQ(c.max_retries, 3u);
  EXPECT_EQ(c.retry_delay_ms, 100u);
  EXPECT_EQ(c.debug_lock_order, kDebugBuild);
}

TEST(Log, MessagesBelowTheLevelAreDroppedAndTheSinkIsReplaceable) {
  testing::LogCapture capture;
  const LogLevel saved = log_level();
  set_log_level(LogLevel::kWarn);
  log(LogLevel::kInfo, "quiet");
  log(LogLevel::kError, "loud");
  set_log_level(saved);
  EXPECT_FALSE(capture.contains("quiet"));
  EXPECT_TRUE(capture.contains("error: loud"));
}

}  // namespace
}  // namespace dccview
