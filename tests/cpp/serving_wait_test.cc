// RFC pattern 3 (cross-thread synchronous calls): waits that serve complete, cycles of waits that
// cannot be served fail at once with DeadlockDetectedError, never by timing out.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "dccview/dispatcher.h"
#include "dccview/wait_policy.h"
#include "loop_drivers.h"

namespace dccview {
namespace {

using namespace std::chrono_literals;

// A loop thread with a name, standing in for the DCC main thread, the WebView thread or a worker
// loop.
class NamedLoop {
 public:
  explicit NamedLoop(const char* name) : dispatcher_(std::make_shared<Dispatcher>()) {
    driver_.start(dispatcher_);
    dispatcher_->call([name] { pthread_setname_np(pthread_self(), name); });
  }
  ~NamedLoop() { driver_.stop(std::move(dispatcher_)); }
  Dispatcher& operator*() { return *dispatcher_; }
  Dispatcher* operator->() { return dispatcher_.get(); }

 private:
  testing::OwnedDriver driver_;
  std::shared_ptr<Dispatcher> dispatcher_;
};

// Generous: these tests must finish long before it; the point is that nothing waits it out.
constexpr auto kLong = 20s;

TEST(ServingWait, MainToWebViewToMainCompletes) {
  NamedLoop main_loop("main"), webview("webview");
  const auto t0 = std::chrono::steady_clock::now();
  const int answer = main_loop->call([&] {
    return webview->call([&] { return main_loop->call([&] { return main_loop->is_main_thread() ? 42 : -1; }, kLong); },
                         kLong);
  }, kLong);
  EXPECT_EQ(answer, 42);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(ServingWait, ThreeLoopChainBackToTheStartCompletes) {
  NamedLoop main_loop("main"), webview("webview"), worker("worker");
  const std::string path = main_loop->call([&] {
    return webview->call([&] {
      return worker->call([&] {
        return main_loop->call([&] { return std::string(main_loop->is_main_thread() ? "main" : "?"); },
                               kLong) + "<-worker";
      }, kLong) + "<-webview";
    }, kLong);
  }, kLong);
  EXPECT_EQ(path, "main<-worker<-webview");
}

// The RFC's example of pattern 3: the main thread waits on the WebView thread while the WebView
// thread, processing messages, waits on the main thread.
TEST(ServingWait, RfcPatternThreeResolvesBecauseTheBlockedMainThreadServes) {
  NamedLoop main_loop("main"), webview("webview");
  std::atomic<int> main_thread_runs{0};
  main_loop->call([&] {
    webview->call([&] {  // "eval_js_sync" from the main thread
      main_loop->call([&] { main_thread_runs++; }, kLong);  // a handler needing the main thread
    }, kLong);
  }, kLong);
  EXPECT_EQ(main_thread_runs.load(), 1);
  EXPECT_GE(main_loop->stats().run, 2u);
}

TEST(ServingWait, TwoThreadCycleWithoutServingIsRefusedAtOnceNamingBothThreads) {
  NamedLoop main_loop("main"), webview("webview");
  std::string message;
  const auto t0 = std::chrono::steady_clock::now();
  main_loop->call([&] {
    ScopedNoServingWait no_serving("main: inside a host callback that must not re-enter");
    webview->call([&] {
      ScopedNoServingWait also("webview: inside a paint handler");
      auto r = main_loop->try_call([] { return 1; }, kLong);
      EXPECT_EQ(r.code(), ErrorCode::kDeadlock);
      if (!r.ok()) message = r.error().message;
    }, kLong);
  }, kLong);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s) << "detected when the wait starts";
  EXPECT_NE(message.find("'webview'"), std::string::npos) << message;
  EXPECT_NE(message.find("'main'"), std::string::npos) << message;
  EXPECT_NE(message.find("deadlock"), std::string::npos) << message;
}

TEST(ServingWait, ThreeThreadCycleWithoutServingIsRefusedAtOnce) {
  NamedLoop main_loop("main"), webview("webview"), worker("worker");
  std::string message;
  main_loop->call([&] {
    ScopedNoServingWait a("test");
    webview->call([&] {
      ScopedNoServingWait b("test");
      worker->call([&] {
        ScopedNoServingWait c("test");
        try {
          main_loop->call([] {}, kLong);
        } catch (const DeadlockDetectedError& e) {
          message = e.what();
        }
      }, kLong);
    }, kLong);
  }, kLong);
  EXPECT_NE(message.find("'worker'"), std::string::npos) << message;
  EXPECT_NE(message.find("'webview'"), std::string::npos) << message;
  EXPECT_NE(message.find("'main'"), std::string::npos) << message;
}

TEST(ServingWait, OneServingThreadInTheCycleIsEnough) {
  NamedLoop main_loop("main"), webview("webview");
  const int answer = main_loop->call([&] {
    // main serves (default); webview does not.
    return webview->call([&] {
      ScopedNoServingWait b("webview must not re-enter");
      return main_loop->call([] { return 5; }, kLong);
    }, kLong);
  }, kLong);
  EXPECT_EQ(answer, 5);
}

// RFC pattern 3 as a page evaluation sees it: main waits for the WebView thread to finish loop
// work (the page answering an evaluation) and that work waits for main. The WebView thread serves,
// but serving cannot finish loop work, so only main serving resolves the cycle.
ErrorCode wait_for_loop_work_that_calls_back(NamedLoop& main_loop, NamedLoop& webview, bool main_serves) {
  ErrorCode code = ErrorCode::kOk;
  main_loop->call([&] {
    std::optional<ScopedNoServingWait> no_serving;
    if (!main_serves) no_serving.emplace("main: inside an undo chunk");
    detail::Completion done;
    const std::string label = "page evaluation";
    detail::SyncWait wait(*webview, label, done);  // no request: it needs the loop back
    webview->post([&] {
      code = main_loop->try_call([] { return 1; }, kLong).code();
      done.set();
    });
    const auto deadline = std::chrono::duration_cast<std::chrono::nanoseconds>(
        (std::chrono::steady_clock::now() + kLong).time_since_epoch()).count();
    EXPECT_TRUE(wait.wait(done, deadline));
  }, kLong);
  return code;
}

TEST(ServingWait, AServingThreadDoesNotResolveAWaitThatNeedsItsLoopBack) {
  NamedLoop main_loop("main"), webview("webview");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_loop_work_that_calls_back(main_loop, webview, /*main_serves=*/false), ErrorCode::kDeadlock);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s) << "refused when the wait starts, not timed out";
}

TEST(ServingWait, TheSameCycleCompletesWhenTheThreadWaitingForLoopWorkServes) {
  NamedLoop main_loop("main"), webview("webview");
  EXPECT_EQ(wait_for_loop_work_that_calls_back(main_loop, webview, /*main_serves=*/true), ErrorCode::kOk);
}

TEST(ServingWait, AThreadRunningTheCallersRequestCannotServeItSoTheCycleIsRefused) {
  // webview serves while it waits, but main's request is the very call webview is running (it sits
  // below webview's wait on its stack): only main could break the cycle, and main must not re-enter.
  NamedLoop main_loop("main"), webview("webview");
  ErrorCode code = ErrorCode::kOk;
  const auto t0 = std::chrono::steady_clock::now();
  main_loop->call([&] {
    ScopedNoServingWait no_serving("main: inside a host callback that must not re-enter");
    webview->call([&] { code = main_loop->try_call([] { return 1; }, kLong).code(); }, kLong);
  }, kLong);
  EXPECT_EQ(code, ErrorCode::kDeadlock);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s) << "refused when the wait starts, not timed out";
}

TEST(ServingWait, AWaitUnderALockDoesNotServeAndIsReportedInReportMode) {
  const LockOrderMode saved = lock_order_mode();
  set_lock_order_mode(LockOrderMode::kReport);
  NamedLoop main_loop("main"), webview("webview");
  CheckedMutex state("t.serving.state", LockLevel::kState);
  ErrorCode inner = ErrorCode::kOk;
  main_loop->call([&] {
    CheckedLock held(state);  // report mode: allowed to go on, but this wait cannot serve
    webview->call([&] {
      ScopedNoServingWait b("test");
      inner = main_loop->try_call([] { return 1; }, kLong).code();
    }, kLong);
  }, kLong);
  set_lock_order_mode(saved);
  EXPECT_EQ(inner, ErrorCode::kDeadlock);
}

TEST(ServingWait, ShutdownWakesALoopThreadBlockedInAServingWait) {
  NamedLoop main_loop("main"), webview("webview");
  testing::Gate webview_blocked, release;
  ASSERT_TRUE(webview->post([&] {
    webview_blocked.open();
    release.wait();
  }));
  ASSERT_TRUE(webview_blocked.wait());
  ErrorCode code = ErrorCode::kOk;
  // Accepted so far: the thread-naming call and the blocker; main's call will be the third.
  const auto accepted_before = webview->stats().accepted;
  std::thread closer([&] {
    // Wait until main's call is queued behind the blocker, then shut the webview loop down.
    ASSERT_TRUE(testing::eventually([&] { return webview->stats().accepted == accepted_before + 1; }));
    webview->shutdown();
  });
  main_loop->call([&] { code = webview->try_call([] { return 1; }, kLong).code(); }, kLong);
  closer.join();
  release.open();
  EXPECT_EQ(code, ErrorCode::kShutdown);
}

TEST(ServingWait, ServablePostRunsOnTheMainThreadNormally) {
  NamedLoop main_loop("main");
  std::atomic<bool> on_main{false};
  ASSERT_TRUE(main_loop->post_servable([&] { on_main = main_loop->is_main_thread(); }, "servable"));
  ASSERT_TRUE(main_loop->wait_for_drain(kLong));
  EXPECT_TRUE(on_main.load());
}

// A WebView handler in dcc_mode is posted to the main thread without blocking the WebView thread;
// a main thread blocked on the WebView (say, in a synchronous evaluation) still runs it.
TEST(ServingWait, ABlockedMainThreadRunsServablePostsAddressedToIt) {
  NamedLoop main_loop("main"), webview("webview");
  const auto t0 = std::chrono::steady_clock::now();
  const bool handled = main_loop->call([&] {
    return webview->call([&] {
      testing::Gate handled_gate;
      main_loop->post_servable([&] { handled_gate.open(); }, "dcc_mode_handler");
      return handled_gate.wait();
    }, kLong);
  }, kLong);
  EXPECT_TRUE(handled);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(ServingWait, ServablePostsLeftAtTeardownAreDestroyedAndAccounted) {
  auto d = std::make_unique<Dispatcher>();
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  bool ran = false;
  ASSERT_TRUE(d->post_servable([&ran, s = std::move(sentinel)] { ran = true; }));
  d->shutdown();
  EXPECT_FALSE(d->post_servable([] {})) << "refused after shutdown";
  EXPECT_EQ(d->discard_pending(), 1u);
  const auto s = d->stats();
  EXPECT_EQ(s.accepted, s.run + s.cancelled + s.destroyed);
  d.reset();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(watch.expired());
}

// Closing a WebView from the main thread drains the view's queue while a handler on the WebView
// thread waits for the main thread: the draining main thread serves that call (no stall until a
// timeout), and the drain reports success.
TEST(ServingWait, ADrainWaitOnTheMainThreadServesTheCallsThatTheDrainWaitsFor) {
  NamedLoop main_loop("main"), webview("webview");
  std::atomic<bool> handler_waiting{false};
  std::atomic<int> answer{0};
  ASSERT_TRUE(webview->post([&] {
    handler_waiting = true;
    answer = main_loop->call([&] { return main_loop->is_main_thread() ? 7 : -1; }, kLong);
  }));
  const auto t0 = std::chrono::steady_clock::now();
  const bool drained = main_loop->call([&] {
    while (!handler_waiting) std::this_thread::yield();
    webview->shutdown();
    return webview->wait_for_drain(kLong);
  }, kLong);
  EXPECT_TRUE(drained);
  EXPECT_EQ(answer.load(), 7);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

}  // namespace
}  // namespace dccview
