#include "dccview/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "dccview/manual_loop.h"
#include "dccview/owned_loop.h"
#include "loop_drivers.h"
#include "test_support.h"

namespace dccview {
namespace {

using namespace std::chrono_literals;
using testing::Gate;

TEST(Dispatcher, NoThreadIsMainBeforeInstallAndTasksWaitForTheLoop) {
  auto d = std::make_shared<Dispatcher>();
  EXPECT_FALSE(d->is_main_thread());
  std::atomic<bool> ran{false};
  ASSERT_TRUE(d->post([&] { ran = true; }));
  testing::OwnedDriver driver;
  driver.start(d);
  EXPECT_TRUE(testing::eventually([&] { return ran.load(); }));
  driver.stop(std::move(d));
}

// post() guarantee 2: a post that happens before another thread's post (A posts, then tells B,
// which posts) runs first, for every pair, whatever the threads.
TEST(Dispatcher, APostThatHappensBeforeAnotherThreadsPostRunsFirst) {
  Dispatcher d;
  d.install<ManualLoop>();
  constexpr int kRounds = 2000;
  std::vector<int> ran;  // main thread only: the tasks run in pump() below
  std::atomic<int> posted_by_a{-1};
  std::thread a([&] {
    for (int i = 0; i < kRounds; ++i) {
      ASSERT_TRUE(d.post([&ran, i] { ran.push_back(2 * i); }));
      posted_by_a.store(i, std::memory_order_release);  // then tell B
    }
  });
  std::thread b([&] {
    for (int i = 0; i < kRounds; ++i) {
      while (posted_by_a.load(std::memory_order_acquire) < i) std::this_thread::yield();
      ASSERT_TRUE(d.post([&ran, i] { ran.push_back(2 * i + 1); }));  // after A's i-th: runs after it
    }
  });
  a.join();
  b.join();
  while (ran.size() < 2 * kRounds) d.pump(10ms);
  std::vector<std::size_t> position(2 * kRounds);
  for (std::size_t at = 0; at < ran.size(); ++at) position[static_cast<std::size_t>(ran[at])] = at;
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_LT(position[2 * i], position[2 * i + 1]) << "B's post " << i << " ran before A's, which came first";
    if (i > 0) {
      ASSERT_LT(position[2 * (i - 1)], position[2 * i]) << "A's own order";
    }
  }
}

TEST(Dispatcher, InstallingASecondLoopIsAContractViolation) {
  Dispatcher d;
  d.install<ManualLoop>();
  EXPECT_TRUE(d.is_main_thread());
  EXPECT_THROW(d.install<ManualLoop>(), std::logic_error);
}

TEST(Dispatcher, PumpOffTheMainThreadIsAContractViolation) {
  Dispatcher d;
  d.install<ManualLoop>();
  std::thread other([&] { EXPECT_THROW(d.pump(1ms), std::logic_error); });
  other.join();
}

TEST(Dispatcher, MessagesNameTheLoopThreadTheDispatcherServes) {
  auto d = std::make_shared<Dispatcher>(ThreadSafetyConfig{}, QueueOptions{}, "WebView-thread");
  EXPECT_EQ(d->name(), "WebView-thread");
  testing::OwnedDriver driver;
  driver.start(d);
  Gate gate;
  d->post([&] { gate.wait(); });
  auto result = d->try_call([] { return 1; }, 20ms, "probe");
  ASSERT_EQ(result.code(), ErrorCode::kTimeout);
  EXPECT_EQ(result.error().message.rfind("WebView-thread call 'probe' timed out after 20 ms", 0), 0u)
      << result.error().message;
  gate.open();
  driver.stop(std::move(d));
}

TEST(Dispatcher, DefaultCallTimeoutComesFromTheConfig) {
  ThreadSafetyConfig config;
  config.main_thread_timeout_ms = 40;
  auto d = std::make_shared<Dispatcher>(config);
  testing::OwnedDriver driver;
  driver.start(d);
  Gate gate;
  d->post([&] { gate.wait(); });
  auto result = d->try_call([] { return 1; });
  ASSERT_EQ(result.code(), ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("40 ms"), std::string::npos) << result.error().message;
  EXPECT_THROW(result.value(), ThreadDispatchTimeoutError);
  gate.open();
  driver.stop(std::move(d));
}

TEST(Dispatcher, FullQueueIsRetriedPerConfigThenQueueFullError) {
  ThreadSafetyConfig config;
  config.max_retries = 2;
  config.retry_delay_ms = 15;
  auto d = std::make_shared<Dispatcher>(config, QueueOptions{1, Backpressure::kReject, 0ms});
  testing::OwnedDriver driver;
  driver.start(d);
  Gate gate, started;
  ASSERT_TRUE(d->post([&] {
    started.open();
    gate.wait();
  }));
  ASSERT_TRUE(started.wait());
  EXPECT_FALSE(d->post([] {})) << "reject policy: post fails at once";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(d->call([] {}, 5s), QueueFullError);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 2 * 15ms) << "two retries, 15 ms apart";
  gate.open();
  EXPECT_EQ(d->call([] { return 3; }, 5s), 3);
  driver.stop(std::move(d));
}

TEST(Dispatcher, MainThreadNeverBlocksOnItsOwnFullQueue) {
  Dispatcher d(ThreadSafetyConfig{}, QueueOptions{1, Backpressure::kBlock, 10s});
  d.install<ManualLoop>();
  ASSERT_TRUE(d.post([] {}));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(d.post([] {}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST(Dispatcher, ManualLoopWakeCallbackIsCoalescedPerPump) {
  std::atomic<int> wakes{0};
  Dispatcher d;
  auto& loop = d.install<ManualLoop>([&] { wakes++; });
  EXPECT_EQ(wakes.load(), 1) << "install wakes the host once";
  loop.pump(1ms);  // the host answers that wake
  const int after_install = wakes.load();
  std::thread worker([&] {
    for (int i = 0; i < 100; ++i) d.post([] {});
  });
  worker.join();
  EXPECT_EQ(wakes.load(), after_install + 1);
  EXPECT_EQ(loop.pump(1s).ran, 100u);
  std::thread again([&] { d.post([] {}); });
  again.join();
  EXPECT_EQ(wakes.load(), after_install + 2);
}

// A task that spins a nested event loop (a modal dialog in a handler) makes the host deliver the wake
// that a post during the task requested to a nested pump, which runs nothing. The queue must still be
// woken for every later post: the wake request the nested pump took must not stay pending forever.
TEST(Dispatcher, AWakeTakenByANestedPumpDoesNotSwallowLaterWakes) {
  std::atomic<int> wakes{0};
  Dispatcher d;
  auto& loop = d.install<ManualLoop>([&] { wakes++; });
  loop.pump(1ms);  // answers the install's wake
  bool nested_ran_nothing = false;
  ASSERT_TRUE(d.post([&] {
    std::thread poster([&] { d.post([] {}); });  // from another thread, while this task runs
    poster.join();
    nested_ran_nothing = loop.pump(1ms).ran == 0;  // the host's nested loop delivers that wake
  }));
  EXPECT_EQ(loop.pump(1s).ran, 2u) << "the outer pump runs the task and the one posted meanwhile";
  EXPECT_TRUE(nested_ran_nothing);
  const int before = wakes.load();
  std::thread later([&] { d.post([] {}); });
  later.join();
  EXPECT_EQ(wakes.load(), before + 1) << "a post after that pump must wake the host";
  EXPECT_EQ(loop.pump(1s).ran, 1u);
}

TEST(Dispatcher, ManualPumpIsBoundedByItsBudgetAndAsksForMore) {
  std::atomic<int> wakes{0};
  Dispatcher d;
  auto& loop = d.install<ManualLoop>([&] { wakes++; });
  for (int i = 0; i < 20; ++i) d.post([] { std::this_thread::sleep_for(2ms); });
  const int before = wakes.load();
  const auto result = loop.pump(5ms);
  EXPECT_GE(result.ran, 1u);
  EXPECT_LT(result.ran, 20u);
  EXPECT_TRUE(result.more_pending);
  EXPECT_EQ(wakes.load(), before + 1) << "leftover work wakes the host again";
  while (loop.pump(1s).more_pending) {
  }
  EXPECT_EQ(d.stats().run, 20u);
}

TEST(Dispatcher, WaitForDrainOnTheMainThreadPumpsInsteadOfWaitingForItself) {
  Dispatcher d;
  d.install<ManualLoop>();
  int ran = 0;
  for (int i = 0; i < 10; ++i) d.post([&] { ran++; });
  EXPECT_TRUE(d.wait_for_drain(5s));
  EXPECT_EQ(ran, 10);
}

TEST(Dispatcher, DestroyingTheDispatcherDestroysUnrunTasksAndAnswersNobodyLate) {
  auto d = std::make_unique<Dispatcher>();
  auto sentinel = std::make_shared<int>(1);
  std::weak_ptr<int> watch = sentinel;
  bool ran = false;
  d->install<ManualLoop>();
  d->post([&ran, s = std::move(sentinel)] { ran = true; });
  d.reset();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(watch.expired());
}

// Shutdown while 8 threads post and call, at a random moment, 200 times: nothing hangs, every caller
// gets a value or a typed error, and accepted == run + cancelled + destroyed.
TEST(Dispatcher, ShutdownUnderLoadKeepsTheAccountingInvariant) {
  std::mt19937 rng(20261127);
  for (int run = 0; run < 200; ++run) {
    auto d = std::make_shared<Dispatcher>();
    testing::OwnedDriver driver;
    driver.start(d);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> call_ok{0}, call_shutdown{0}, call_timeout{0}, post_ok{0};
    std::atomic<std::uint64_t> executed{0}, post_attempts{0}, call_attempts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        while (!stop.load(std::memory_order_relaxed)) {
          if (t % 2 == 0) {
            post_attempts++;
            if (d->post([&] { executed++; })) post_ok++;
          } else {
            call_attempts++;
            auto r = d->try_call([&] { return ++executed; }, 2s);
            if (r.ok()) call_ok++;
            else if (r.code() == ErrorCode::kShutdown) call_shutdown++;
            else if (r.code() == ErrorCode::kTimeout) call_timeout++;
            if (r.code() == ErrorCode::kShutdown) return;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    d->shutdown();
    stop = true;
    for (auto& t : threads) t.join();
    const bool discard_early = rng() % 2 == 0;
    if (!discard_early) {
      ASSERT_TRUE(d->wait_for_drain(10s)) << "run " << run;
    }
    std::shared_ptr<Dispatcher> keep = d;
    driver.stop(std::move(d));
    if (discard_early) keep->discard_pending();  // the loop is gone: this thread tears down
    const auto s = keep->stats();
    ASSERT_EQ(s.accepted, s.run + s.cancelled + s.destroyed) << "run " << run;
    ASSERT_EQ(s.accepted + s.rejected, post_attempts.load() + call_attempts.load()) << "run " << run;
    ASSERT_GE(s.run, call_ok.load()) << "run " << run;
    // A caller told "shutdown" had its task refused, cancelled or destroyed, never run.
    ASSERT_LE(call_shutdown.load(), s.rejected + s.cancelled + s.destroyed) << "run " << run;
    ASSERT_EQ(s.run, executed.load()) << "run " << run;
    ASSERT_EQ(call_timeout.load(), 0u) << "run " << run;
    ASSERT_EQ(s.in_flight, 0u) << "run " << run;
  }
}

}  // namespace
}  // namespace dccview
