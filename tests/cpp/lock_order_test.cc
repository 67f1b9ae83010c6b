#include "dccview/lock_order.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/manual_loop.h"
#include "test_support.h"

namespace dccview {
namespace {

using testing::LogCapture;

// Sets a mode for one test and restores the previous one.
class LockOrderTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = lock_order_mode(); }
  void TearDown() override { set_lock_order_mode(saved_); }
  LockOrderMode saved_{};
};

bool acquirable_elsewhere(CheckedMutex& m) {
  bool acquired = false;
  std::thread([&] {
    acquired = m.try_lock();
    if (acquired) m.unlock();
  }).join();
  return acquired;
}

std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const DeadlockDetectedError& e) {
    return e.what();
  }
  return "";
}

TEST_F(LockOrderTest, IncreasingLevelsAreAllowed) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex global("t.global", LockLevel::kGlobal), registry("t.registry", LockLevel::kRegistry);
  CheckedMutex state("t.state", LockLevel::kState), callback("t.callback", LockLevel::kCallback);
  CheckedLock a(global), b(registry), c(state), d(callback);
  EXPECT_TRUE(holds_checked_lock());
}

TEST_F(LockOrderTest, LowerLevelUnderHigherThrowsBeforeBlockingAndNamesBothLocks) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex registry("t.processes", LockLevel::kRegistry), state("t.bridge", LockLevel::kState);
  CheckedLock held(state);
  const std::string message = message_of([&] { CheckedLock bad(registry); });
  EXPECT_NE(message.find("'t.processes' (level 2, registry)"), std::string::npos) << message;
  EXPECT_NE(message.find("'t.bridge' (level 4, state)"), std::string::npos) << message;
  EXPECT_NE(message.find("lock_order_test.cc"), std::string::npos) << message;
  EXPECT_TRUE(acquirable_elsewhere(registry)) << "the refused lock must not be taken";
}

TEST_F(LockOrderTest, SameLevelWithoutKeysIsAViolation) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex first("t.process", LockLevel::kResource), second("t.channel", LockLevel::kResource);
  CheckedLock held(first);
  EXPECT_THROW(CheckedLock bad(second), DeadlockDetectedError);
}

TEST_F(LockOrderTest, SameLevelWithOrderKeysLowerFirstIsAllowedHigherFirstIsNot) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex p1("t.managed_process", LockLevel::kResource, 1);
  CheckedMutex p2("t.managed_process", LockLevel::kResource, 2);
  {
    CheckedLock a(p1), b(p2);
  }
  CheckedLock b(p2);
  EXPECT_THROW(CheckedLock a(p1), DeadlockDetectedError);
}

TEST_F(LockOrderTest, ReleaseInAnyOrderHandOverHandAndMovedGuardsAreFine) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex a("t.hoh.a", LockLevel::kRegistry), b("t.hoh.b", LockLevel::kResource);
  CheckedMutex c("t.hoh.c", LockLevel::kState);
  auto ga = std::make_unique<CheckedLock<CheckedMutex>>(a);
  CheckedLock gb(b);
  ga.reset();  // out of order: a released while b is held
  CheckedLock gc(c);
  gb.unlock();
  std::vector<CheckedLock<CheckedMutex>> moved;
  moved.push_back(std::move(gc));
  moved.clear();
  EXPECT_FALSE(holds_checked_lock());
  CheckedLock again(a);  // nothing stale left behind
}

TEST_F(LockOrderTest, ReacquiringAHeldLockThrowsEvenInReportMode) {
  set_lock_order_mode(LockOrderMode::kReport);
  LogCapture capture;
  CheckedMutex m("t.self", LockLevel::kState);
  CheckedLock held(m);
  const std::string message = message_of([&] { m.lock(); });
  EXPECT_NE(message.find("already holds"), std::string::npos) << message;
  EXPECT_TRUE(capture.contains("already holds"));
}

TEST_F(LockOrderTest, LeafLocksGoUnderAnythingButNothingGoesUnderThem) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex leaf("t.leaf", LockLevel::kGlobal, kLeaf), outer("t.outer", LockLevel::kCallback);
  {
    CheckedLock o(outer), l(leaf);  // level 1 under level 5 is fine for a leaf
  }
  CheckedMutex inner("t.inner", LockLevel::kCallback);
  CheckedLock l(leaf);
  const std::string message = message_of([&] { CheckedLock bad(inner); });
  EXPECT_NE(message.find("while holding leaf lock"), std::string::npos) << message;
}

// The checker's own graph lock is a checked leaf too; the checker must not trip over it when a new
// lock class is interned (or a violation reported) while the thread holds other locks.
TEST_F(LockOrderTest, TheCheckersOwnLockNeverReportsItself) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex leaf("t.own.leaf", LockLevel::kState, kLeaf);
  CheckedLock held(leaf);
  EXPECT_NO_THROW(CheckedMutex fresh("t.own.class_interned_under_a_leaf", LockLevel::kGlobal));
}

TEST_F(LockOrderTest, ReportModeLogsEachViolationOnceAndGoesOn) {
  set_lock_order_mode(LockOrderMode::kReport);
  LogCapture capture;
  CheckedMutex low("t.report.low", LockLevel::kRegistry), high("t.report.high", LockLevel::kState);
  for (int i = 0; i < 3; ++i) {
    CheckedLock h(high);
    CheckedLock l(low);  // taken despite the violation
  }
  int violations = 0;
  for (const auto& line : capture.lines()) {
    if (line.find("'t.report.low'") != std::string::npos &&
        line.find("levels must increase") != std::string::npos) {
      ++violations;
    }
  }
  EXPECT_EQ(violations, 1);
}

TEST_F(LockOrderTest, OrderGraphReportsAnInversionSeenOnTwoThreadsWithoutAnyDeadlock) {
  set_lock_order_mode(LockOrderMode::kReport);
  LogCapture capture;
  CheckedMutex a("t.graph.registry", LockLevel::kRegistry);
  CheckedMutex b("t.graph.resource", LockLevel::kResource);
  std::thread first([&] {
    pthread_setname_np(pthread_self(), "order-first");
    CheckedLock la(a), lb(b);
  });
  first.join();  // strictly one after the other: no deadlock can happen in this test
  std::thread second([&] {
    pthread_setname_np(pthread_self(), "order-second");
    CheckedLock lb(b), la(a);
  });
  second.join();
  std::string report;
  for (const auto& line : capture.lines()) {
    if (line.find("lock order inversion") != std::string::npos) report = line;
  }
  ASSERT_FALSE(report.empty());
  EXPECT_NE(report.find("'t.graph.registry' (level 2"), std::string::npos) << report;
  EXPECT_NE(report.find("'t.graph.resource' (level 3"), std::string::npos) << report;
  EXPECT_NE(report.find("order-first"), std::string::npos) << report;
  EXPECT_NE(report.find("order-second"), std::string::npos) << report;
  EXPECT_NE(report.find("lock_order_test.cc"), std::string::npos) << report;
}

TEST_F(LockOrderTest, InversionThrowsInThrowModeOnTheSecondOrder) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex a("t.inv.throw.a", LockLevel::kRegistry), b("t.inv.throw.b", LockLevel::kResource);
  std::thread([&] { CheckedLock la(a), lb(b); }).join();
  std::string message;
  std::thread([&] {
    CheckedLock lb(b);
    message = message_of([&] { CheckedLock la(a); });
  }).join();
  EXPECT_NE(message.find("lock order inversion"), std::string::npos) << message;
}

// The RFC's pattern 2 as written: a component calls a user callback while holding its state lock,
// and the callback calls back into the component. Without the checker this hangs forever.
TEST_F(LockOrderTest, RfcPatternTwoCallbackUnderLockIsCaughtInsteadOfHanging) {
  set_lock_order_mode(LockOrderMode::kReport);
  LogCapture capture;
  struct Bridge {
    CheckedMutex state{"t.bridge_state", LockLevel::kState};
    int value = 0;
    std::function<void()> callback;
    int get() {
      CheckedLock lock(state);
      return value;
    }
    void emit_event() {
      CheckedLock lock(state);
      callback();  // the bug the RFC warns about: user code under our lock
    }
  } bridge;
  bridge.callback = [&] { bridge.get(); };
  EXPECT_THROW(bridge.emit_event(), DeadlockDetectedError);
  EXPECT_TRUE(capture.contains("already holds"));
}

TEST_F(LockOrderTest, AbortModeAbortsOnEveryKindOfViolation) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex first("t.abort.same1", LockLevel::kResource);
        CheckedMutex second("t.abort.same2", LockLevel::kResource);
        CheckedLock a(first);
        CheckedLock b(second);
      },
      "levels must increase");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex m("t.abort.self", LockLevel::kState);
        CheckedLock a(m);
        m.lock();
      },
      "already holds");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex leaf("t.abort.leaf", LockLevel::kGlobal, kLeaf);
        CheckedMutex other("t.abort.other", LockLevel::kCallback);
        CheckedLock a(leaf);
        CheckedLock b(other);
      },
      "while holding leaf lock");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex a("t.abort.inv.a", LockLevel::kRegistry);
        CheckedMutex b("t.abort.inv.b", LockLevel::kResource);
        std::thread([&] { CheckedLock la(a), lb(b); }).join();
        std::thread([&] { CheckedLock lb(b), la(a); }).join();
      },
      "lock order inversion");
}

TEST_F(LockOrderTest, OffModeChecksNothing) {
  set_lock_order_mode(LockOrderMode::kOff);
  LogCapture capture;
  CheckedMutex low("t.off.low", LockLevel::kRegistry), high("t.off.high", LockLevel::kState);
  CheckedLock h(high);
  CheckedLock l(low);
  EXPECT_FALSE(holds_checked_lock()) << "off: nothing is recorded";
  EXPECT_TRUE(capture.lines().empty());
}

TEST_F(LockOrderTest, AbortModeAbortsOnALevelViolation) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex low("t.abort.low", LockLevel::kRegistry);
        CheckedMutex high("t.abort.high", LockLevel::kState);
        CheckedLock h(high);
        CheckedLock l(low);
      },
      "levels must increase");
}

TEST_F(LockOrderTest, AbortModeAbortsOnALockHeldAcrossAWait) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        set_lock_order_mode(LockOrderMode::kAbort);
        CheckedMutex m("t.abort.held", LockLevel::kState);
        CheckedLock h(m);
        assert_no_lock_held("a test wait");
      },
      "lock held across a test wait");
}

TEST_F(LockOrderTest, SharedMutexFollowsTheSameRules) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedSharedMutex registry("t.shared.registry", LockLevel::kRegistry);
  CheckedMutex state("t.shared.state", LockLevel::kState);
  {
    CheckedSharedLock r(registry);
    CheckedLock s(state);
  }
  CheckedLock s(state);
  EXPECT_THROW(CheckedSharedLock bad(registry), DeadlockDetectedError);
  EXPECT_THROW(registry.lock(), DeadlockDetectedError);
}

TEST_F(LockOrderTest, GilIsOutermostAndDoesNotCountAsALibraryLock) {
  set_lock_order_mode(LockOrderMode::kThrow);
  ExternalLock gil("t.python_gil", LockLevel::kPythonGil);
  CheckedMutex state("t.gil.state", LockLevel::kState);
  gil.check_acquire();
  gil.note_acquired();
  EXPECT_NO_THROW(assert_no_lock_held("a wait while holding only the GIL"));
  {
    CheckedLock s(state);  // GIL first, then a library lock: fine
  }
  gil.note_released();
  CheckedLock s(state);
  // "Holds a library lock, waits for the GIL": the inversion the RFC's table cannot see.
  const std::string message = message_of([&] { gil.check_acquire(); });
  EXPECT_NE(message.find("'t.python_gil' (level 0, python_gil)"), std::string::npos) << message;
}

TEST_F(LockOrderTest, ScopedAllowTurnsAViolationIntoADebugNote) {
  set_lock_order_mode(LockOrderMode::kThrow);
  LogCapture capture;
  const LogLevel saved = log_level();
  set_log_level(LogLevel::kDebug);
  CheckedMutex low("t.allow.low", LockLevel::kRegistry), high("t.allow.high", LockLevel::kState);
  {
    ScopedAllowLockOrderViolation allow("legacy plugin takes these in reverse; tracked in #42");
    CheckedLock h(high);
    EXPECT_NO_THROW(CheckedLock l(low));
  }
  set_log_level(saved);
  EXPECT_TRUE(capture.contains("tracked in #42"));
  CheckedLock h(high);
  EXPECT_THROW(CheckedLock l(low), DeadlockDetectedError) << "the allowance ended with its scope";
}

// RFC pattern 2 at dccview's own boundaries: waiting on the main thread or pumping user tasks while
// holding a lock is refused before anything is queued or run.
TEST_F(LockOrderTest, CallingIntoTheMainThreadUnderALockIsRefused) {
  set_lock_order_mode(LockOrderMode::kThrow);
  auto d = std::make_shared<Dispatcher>();
  CheckedMutex state("t.pattern2.state", LockLevel::kState);
  std::thread worker([&] {
    CheckedLock held(state);
    EXPECT_THROW(d->call([] {}, std::chrono::seconds(1)), DeadlockDetectedError);
  });
  worker.join();
  EXPECT_EQ(d->stats().accepted, 0u) << "nothing was queued";
  d->install<ManualLoop>();
  CheckedLock held(state);
  d->post([] {});
  EXPECT_THROW(d->pump(std::chrono::milliseconds(1)), DeadlockDetectedError);
}

TEST_F(LockOrderTest, StressOfCorrectlyOrderedLockingReportsNothing) {
  set_lock_order_mode(LockOrderMode::kThrow);
  CheckedMutex levels[4] = {{"t.stress.1", LockLevel::kGlobal},
                            {"t.stress.2", LockLevel::kRegistry},
                            {"t.stress.3", LockLevel::kResource},
                            {"t.stress.4", LockLevel::kState}};
  std::atomic<int> violations{0};
  std::atomic<long> acquisitions{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 5000; ++i) {
        const unsigned mask = rng() % 16;
        std::vector<CheckedLock<CheckedMutex>> held;
        try {
          for (int l = 0; l < 4; ++l) {
            if (mask & (1u << l)) {
              held.emplace_back(levels[l]);
              acquisitions++;
            }
          }
        } catch (const DeadlockDetectedError&) {
          violations++;
        }
        while (!held.empty()) held.erase(held.begin() + static_cast<long>(rng() % held.size()));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(acquisitions.load(), 10000);
}

}  // namespace
}  // namespace dccview
