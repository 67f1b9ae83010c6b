// Alone in its binary: set_lock_order_mode() elsewhere would make an explicit choice that wins.
#include <gtest/gtest.h>

#include <cstdlib>

#include "dccview/config.h"
#include "dccview/dispatcher.h"
#include "dccview/lock_order.h"

namespace dccview {
namespace {

TEST(LockOrderConfig, DebugLockOrderFeedsTheModeUnlessTheEnvironmentOrAnExplicitChoiceWins) {
  if (std::getenv("DCCVIEW_LOCK_ORDER") != nullptr) GTEST_SKIP() << "DCCVIEW_LOCK_ORDER is set";
  ThreadSafetyConfig config;
  config.debug_lock_order = true;
  Dispatcher with_checks(config);
  EXPECT_EQ(lock_order_mode(), LockOrderMode::kThrow);
  config.debug_lock_order = false;
  Dispatcher without(config);
  EXPECT_EQ(lock_order_mode(), LockOrderMode::kReport);
  set_lock_order_mode(LockOrderMode::kAbort);
  config.debug_lock_order = true;
  Dispatcher after_explicit(config);
  EXPECT_EQ(lock_order_mode(), LockOrderMode::kAbort);
  set_lock_order_mode(LockOrderMode::kReport);
}

}  // namespace
}  // namespace dccview
