// The host-loop contract: one typed suite, instantiated for every HostLoop backend.
// Each test reads as the rule it checks; the driver provides the main thread.
#pragma once

#include <gtest/gtest.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "test_support.h"

namespace dccview::testing {

template <class Driver>
class LoopContract : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_ = std::make_shared<Dispatcher>();
    driver_.start(dispatcher_);
  }
  void TearDown() override { driver_.stop(std::move(dispatcher_)); }

  // Blocks the main thread until the returned gate opens; returns once the blocker runs.
  std::shared_ptr<Gate> block_main_thread() {
    auto gate = std::make_shared<Gate>();
    auto started = std::make_shared<Gate>();
    EXPECT_TRUE(dispatcher_->post([gate, started] {
      started->open();
      gate->wait();
    }));
    EXPECT_TRUE(started->wait());
    return gate;
  }

  double loop_thread_cpu_ms() {
    clockid_t clock;
    pthread_getcpuclockid(driver_.native_handle(), &clock);
    timespec ts{};
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }

  Driver driver_;
  std::shared_ptr<Dispatcher> dispatcher_;
};

TYPED_TEST_SUITE_P(LoopContract);

TYPED_TEST_P(LoopContract, PostFromWorkerRunsOnMainThreadInFifoOrder) {
  auto& d = *this->dispatcher_;
  std::vector<int> order;
  std::atomic<int> off_main{0};
  std::thread worker([&] {
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(d.post([&, i] {
        if (!d.is_main_thread()) off_main++;
        order.push_back(i);
      }));
    }
  });
  worker.join();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(10)));
  EXPECT_EQ(off_main.load(), 0);
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[i], i);
}

TYPED_TEST_P(LoopContract, PostFromMainThreadNeverRunsInline) {
  auto& d = *this->dispatcher_;
  bool ran_inline = true;
  std::atomic<bool> inner_ran{false};
  d.call([&] {
    bool inner = false;
    d.post([&] { inner_ran = true; });
    ran_inline = inner || inner_ran.load();
  });
  EXPECT_FALSE(ran_inline);
  EXPECT_TRUE(eventually([&] { return inner_ran.load(); }));
}

TYPED_TEST_P(LoopContract, CallFromWorkerReturnsValueComputedOnMainThread) {
  auto& d = *this->dispatcher_;
  EXPECT_FALSE(d.is_main_thread());
  auto on_main = d.call([&] { return d.is_main_thread(); }, std::chrono::seconds(10));
  EXPECT_TRUE(on_main);
  EXPECT_EQ(d.call([] { return std::string("value"); }), "value");
}

TYPED_TEST_P(LoopContract, CallOnMainThreadRunsInline) {
  auto& d = *this->dispatcher_;
  auto nested_was_inline = d.call([&] {
    const auto before = d.stats().accepted;
    const int value = d.call([] { return 7; }, std::chrono::milliseconds(1));
    return value == 7 && d.stats().accepted == before;
  });
  EXPECT_TRUE(nested_was_inline);
}

TYPED_TEST_P(LoopContract, CallRethrowsTheTasksOwnExceptionType) {
  auto& d = *this->dispatcher_;
  EXPECT_THROW(d.call([]() -> int { throw std::out_of_range("index 9"); }), std::out_of_range);
  try {
    d.call([] { throw std::invalid_argument("bad path"); });
    FAIL() << "expected the task's exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "bad path");
  }
  auto result = d.try_call([]() -> int { throw std::domain_error("x"); }, std::chrono::seconds(5));
  ASSERT_EQ(result.code(), ErrorCode::kTaskFailed);
  EXPECT_THROW(std::rethrow_exception(result.error().exception), std::domain_error);
}

TYPED_TEST_P(LoopContract, CallTimeoutCancelsATaskThatHadNotStarted) {
  auto& d = *this->dispatcher_;
  auto gate = this->block_main_thread();
  std::atomic<bool> ran{false};
  try {
    d.call([&] { ran = true; }, std::chrono::milliseconds(50), "export_scene");
    FAIL() << "expected a timeout";
  } catch (const ThreadDispatchTimeoutError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("export_scene"), std::string::npos) << message;
    EXPECT_NE(message.find("50 ms"), std::string::npos) << message;
    EXPECT_NE(message.find("never run"), std::string::npos) << message;
  }
  gate->open();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(10)));
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(d.stats().cancelled, 1u);
}

TYPED_TEST_P(LoopContract, CallTimeoutWhileRunningLetsTheTaskFinish) {
  auto& d = *this->dispatcher_;
  Gate started, release;
  std::atomic<bool> finished{false};
  // The task starts and then waits for `release`, which opens only after the caller gave up.
  auto result = d.try_call(
      [&] {
        started.open();
        release.wait();
        finished = true;
        return 1;
      },
      std::chrono::milliseconds(50), "long_task");
  EXPECT_TRUE(started.is_open());
  ASSERT_EQ(result.code(), ErrorCode::kTimeout);
  EXPECT_NE(result.error().message.find("still running"), std::string::npos);
  release.open();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(10)));
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(d.stats().cancelled, 0u);
}

TYPED_TEST_P(LoopContract, IdleLoopSleepsInsteadOfPolling) {
  auto& d = *this->dispatcher_;
  d.call([] {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let any spin window end
  const auto pumps_before = d.pump_count();
  const double cpu_before = this->loop_thread_cpu_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(d.pump_count(), pumps_before) << "an idle loop must not pump";
  EXPECT_LT(this->loop_thread_cpu_ms() - cpu_before, 15.0) << "an idle loop must sleep";
}

TYPED_TEST_P(LoopContract, ShutdownWakesWaitingCallersAndCancelsTheirTasks) {
  auto& d = *this->dispatcher_;
  auto gate = this->block_main_thread();
  std::atomic<bool> ran{false};
  std::atomic<int> shutdown_errors{0};
  std::thread caller([&] {
    try {
      d.call([&] { ran = true; }, std::chrono::seconds(30));
    } catch (const ShutdownInProgressError&) {
      shutdown_errors++;
    }
  });
  ASSERT_TRUE(eventually([&] { return d.stats().accepted == 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  d.shutdown();
  caller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(shutdown_errors.load(), 1);
  EXPECT_FALSE(d.post([] {}));
  EXPECT_THROW(d.call([] {}, std::chrono::seconds(1)), ShutdownInProgressError);
  gate->open();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(10)));
  EXPECT_FALSE(ran.load());
  const auto s = d.stats();
  EXPECT_EQ(s.accepted, s.run + s.cancelled + s.destroyed);
  EXPECT_EQ(s.rejected, 2u);
}

TYPED_TEST_P(LoopContract, DrainRunsEverythingAcceptedBeforeShutdown) {
  auto& d = *this->dispatcher_;
  std::atomic<int> ran{0};
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(d.post([&] { ran++; }));
  d.shutdown();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(10)));
  EXPECT_EQ(ran.load(), 2000);
  EXPECT_EQ(d.stats().run, 2000u);
}

TYPED_TEST_P(LoopContract, EightProducersLoseAndDuplicateNothing) {
  auto& d = *this->dispatcher_;
  constexpr int kProducers = 8, kEach = 5000;
  std::vector<int> last(kProducers, -1);
  std::atomic<int> out_of_order{0}, total{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        d.post([&, p, i] {
          if (last[p] + 1 != i) out_of_order++;
          last[p] = i;
          total++;
        });
      }
    });
  }
  for (auto& t : producers) t.join();
  ASSERT_TRUE(d.wait_for_drain(std::chrono::seconds(20)));
  EXPECT_EQ(total.load(), kProducers * kEach);
  EXPECT_EQ(out_of_order.load(), 0);
}

TYPED_TEST_P(LoopContract, NestedPumpRunsNothing) {
  auto& d = *this->dispatcher_;
  std::atomic<bool> second_ran{false};
  auto nested = d.call([&] {
    d.post([&] { second_ran = true; });
    return d.pump(std::chrono::milliseconds(5)).ran;
  });
  EXPECT_EQ(nested, 0u);
  EXPECT_TRUE(eventually([&] { return second_ran.load(); }));
}

REGISTER_TYPED_TEST_SUITE_P(LoopContract, PostFromWorkerRunsOnMainThreadInFifoOrder,
                            PostFromMainThreadNeverRunsInline,
                            CallFromWorkerReturnsValueComputedOnMainThread,
                            CallOnMainThreadRunsInline, CallRethrowsTheTasksOwnExceptionType,
                            CallTimeoutCancelsATaskThatHadNotStarted,
                            CallTimeoutWhileRunningLetsTheTaskFinish,
                            IdleLoopSleepsInsteadOfPolling,
                            ShutdownWakesWaitingCallersAndCancelsTheirTasks,
                            DrainRunsEverythingAcceptedBeforeShutdown,
                            EightProducersLoseAndDuplicateNothing, NestedPumpRunsNothing);

struct DriverName {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace dccview::testing
