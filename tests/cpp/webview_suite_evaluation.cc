// The shared WebView suite (every engine runs it: WebKitGTK in dccview_webview_tests, Qt WebEngine in
// dccview_qtwebengine_tests; engine-only tests live in webview_test.cc and qtwebengine_test.cc):
// evaluations: awaited promises, timeouts, eval_js_sync on every thread, scripts given during a navigation.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

TEST_F(WebViewTest, EvalJsAsyncAwaitsPromisesAndReportsThrows) {
  open(false);
  load_page();
  struct Outcome {
    testing::Gate done;
    std::optional<std::string> value;
    std::optional<JsError> error;
  };
  auto ok = std::make_shared<Outcome>(), bad = std::make_shared<Outcome>();
  view_->eval_js_async("new Promise((r) => setTimeout(() => r({n: 7}), 20))",
                       [ok](auto value, auto error) {
                         ok->value = value;
                         ok->error = error;
                         ok->done.open();
                       });
  view_->eval_js_async("(async () => { throw new RangeError('too far'); })()",
                       [bad](auto value, auto error) {
                         bad->value = value;
                         bad->error = error;
                         bad->done.open();
                       });
  ASSERT_TRUE(ok->done.wait());
  ASSERT_TRUE(bad->done.wait());
  EXPECT_EQ(ok->value.value_or("none"), "{\"n\":7}");
  ASSERT_TRUE(bad->error.has_value());
  EXPECT_EQ(bad->error->name, "RangeError");
  EXPECT_EQ(bad->error->message, "too far");
  EXPECT_FALSE(bad->error->stack.empty());
}

// Engines that answer evaluations through the bridge time them out with one timer for all
// (webview/channel_backend.h): a short timeout given after a long one must not wait for the long one,
// one answered early must not take a later one's timeout with it, and a timeout past what a timer can
// wait must not fire at once.
TEST_F(WebViewTest, EachEvaluationTimesOutAtItsOwnDeadline) {
  open(false);
  load_page();
  struct Outcome {
    testing::Gate done;
    std::optional<JsError> error;
    std::chrono::steady_clock::time_point at;
  };
  auto track = [](const std::shared_ptr<Outcome>& outcome) {
    return [outcome](std::optional<std::string>, std::optional<JsError> error) {
      outcome->error = std::move(error);
      outcome->at = std::chrono::steady_clock::now();
      outcome->done.open();
    };
  };
  auto forever = std::make_shared<Outcome>(), patient = std::make_shared<Outcome>();
  auto quick = std::make_shared<Outcome>(), answered = std::make_shared<Outcome>(), later = std::make_shared<Outcome>();
  const auto start = std::chrono::steady_clock::now();
  view_->eval_js_async("new Promise(() => {})", track(forever), std::chrono::milliseconds(std::int64_t{1} << 40));
  view_->eval_js_async("new Promise(() => {})", track(patient), 60s);
  view_->eval_js_async("new Promise((r) => setTimeout(r, 5))", track(answered), 100ms);
  view_->eval_js_async("new Promise(() => {})", track(quick), 300ms);
  view_->eval_js_async("new Promise(() => {})", track(later), 600ms);
  ASSERT_TRUE(quick->done.wait(10s));
  ASSERT_TRUE(later->done.wait(10s));
  ASSERT_TRUE(answered->done.wait(10s));
  EXPECT_FALSE(answered->error.has_value()) << answered->error->name;
  ASSERT_TRUE(quick->error.has_value());
  EXPECT_EQ(quick->error->name, "TimeoutError");
  ASSERT_TRUE(later->error.has_value());
  EXPECT_EQ(later->error->name, "TimeoutError");
  // Each at its own deadline (slack for a loaded machine, never before it), in deadline order.
  EXPECT_GE(quick->at - start, 300ms);
  EXPECT_LT(quick->at - start, 5s);
  EXPECT_GE(later->at - start, 600ms);
  EXPECT_LE(quick->at, later->at);
  EXPECT_FALSE(forever->done.is_open()) << "a 2^40 ms timeout fired: " << forever->error->name;
  EXPECT_FALSE(patient->done.is_open()) << "a 60 s timeout fired early: " << patient->error->name;
}

TEST_F(WebViewTest, EvalJsSyncWorksFromMainAndWorkersAndFailsFastOnTheWebViewThread) {
  open(false);
  ErrorCode on_webview_thread = ErrorCode::kOk;
  std::chrono::steady_clock::duration webview_thread_took{};
  view_->on("nested", [&](const std::string&) {
    const auto t0 = std::chrono::steady_clock::now();
    on_webview_thread = view_->eval_js_sync("1", 10s).code();
    webview_thread_took = std::chrono::steady_clock::now() - t0;
    return std::string("null");
  });
  load_page();
  auto from_main = main_->call([&] { return view_->eval_js_sync("6 * 7").value(); }, 20s);
  EXPECT_EQ(from_main, "42");
  std::string from_worker;
  std::thread worker([&] { from_worker = view_->eval_js_sync("'w' + 1").value(); });
  worker.join();
  EXPECT_EQ(from_worker, "\"w1\"");
  eval("dccview.call('nested')");
  EXPECT_EQ(on_webview_thread, ErrorCode::kDeadlock);
  EXPECT_LT(webview_thread_took, 1s) << "fails at once, never by waiting out the timeout";
}

// The RFC's pattern 3 with a real WebView: the main thread waits for a script that awaits a handler
// that must run on the main thread.
TEST_F(WebViewTest, EvalJsSyncFromTheMainThreadCompletesWhenTheScriptNeedsTheMainThread) {
  open(true);
  view_->on("scene_info", [&](const std::string&) {
    return std::string(main_->is_main_thread() ? "{\"objects\":3}" : "{\"objects\":-1}");
  });
  load_page();
  const auto t0 = std::chrono::steady_clock::now();
  auto info = main_->call([&] { return view_->eval_js_sync("dccview.call('scene_info')", 10s).value(); }, 20s);
  EXPECT_EQ(info, "{\"objects\":3}");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(WebViewTest, EvalJsSyncTimesOutWithTheScriptInTheMessage) {
  open(false);
  load_page();
  auto r = view_->eval_js_sync("new Promise(() => {})", 200ms);
  ASSERT_EQ(r.code(), ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("new Promise(() => {})"), std::string::npos) << r.error().message;
  EXPECT_THROW(r.value(), ThreadDispatchTimeoutError);
  auto js = view_->eval_js_sync("(function thrower() { throw new RangeError('too far'); })()", 5s);
  ASSERT_EQ(js.code(), ErrorCode::kJavaScript);
  EXPECT_EQ(js.error().message, "RangeError: too far");
  try {
    (void)js.value();
    ADD_FAILURE() << "no exception";
  } catch (const JavaScriptError& e) {  // the page's own name, message and stack
    EXPECT_EQ(e.name(), "RangeError");
    EXPECT_EQ(e.message(), "too far");
    EXPECT_NE(e.stack().find("thrower"), std::string::npos) << e.stack();
  }
}

// A script given right after a load runs in the new page, on every engine (engines alone run it in
// whichever document they have then, and Qt WebEngine loses the answer of one run in the page being
// replaced). An evaluation still pending in the replaced page fails at once, not at its timeout.
TEST_F(WebViewTest, AnEvaluationGivenRightAfterALoadRunsInTheNewPage) {
  open(false);
  load_page();
  testing::Gate left_behind_answered;
  std::optional<JsError> left_behind;
  view_->eval_js_async("new Promise(() => {})", [&](std::optional<std::string>, std::optional<JsError> error) {
    left_behind = std::move(error);
    left_behind_answered.open();
  }, 60s);
  for (int i = 0; i < 6; ++i) {
    view_->load_html("<!doctype html><script>window.__page = " + std::to_string(i) + "</script>");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(eval("window.__page"), std::to_string(i)) << "load " << i;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "load " << i << ": waited for a lost answer";
  }
  ASSERT_TRUE(left_behind_answered.wait(10s)) << "the evaluation left in the first page waits out its 60 s";
  ASSERT_TRUE(left_behind.has_value());
  EXPECT_EQ(left_behind->name, "NavigationError") << left_behind->message;
}

}  // namespace
}  // namespace dccview
