// The shared WebView suite (every engine runs it: WebKitGTK in dccview_webview_tests, Qt WebEngine in
// dccview_qtwebengine_tests; engine-only tests live in webview_test.cc and qtwebengine_test.cc):
// lifecycle: the proxy after close, closing under load, a lost web process, reload.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

TEST_F(WebViewTest, ProxyWorksFromManyThreadsAndReportsShutdownAfterClose) {
  open(false);
  load_page();
  WebViewProxy proxy = view_->get_proxy();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (proxy.emit("tick", std::to_string(t)).ok()) ok++;
      }
      if (proxy.eval_js_sync("1 + 1", 10s).value() == "2") ok++;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 51);
  view_->close();
  EXPECT_EQ(proxy.emit("tick", "1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.eval_js("1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.eval_js_sync("1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.load_url("about:blank").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.close().code(), ErrorCode::kShutdown);
  view_.reset();
  EXPECT_EQ(proxy.reload().code(), ErrorCode::kShutdown) << "also once the WebView object is gone";
}

TEST_F(WebViewTest, CloseWhileEightThreadsEmitAndEvaluateNeitherCrashesNorHangs) {
  open(true);
  view_->on("work", [](const std::string&) { return std::string("1"); });
  load_page();
  WebViewProxy proxy = view_->get_proxy();
  std::atomic<bool> stop{false};
  std::atomic<int> shutdown_errors{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        auto r = t % 2 ? proxy.emit("tick", "1") : proxy.eval_js_sync("dccview.call('work')", 5s).ok()
                                                        ? Result<void>()
                                                        : Result<void>(proxy.eval_js_sync("1", 5s).error());
        if (r.code() == ErrorCode::kShutdown) {
          shutdown_errors++;
          return;
        }
        if (!r.ok()) other_errors++;
      }
    });
  }
  std::this_thread::sleep_for(100ms);  // let the load build up; the checks below do not depend on it
  const auto t0 = std::chrono::steady_clock::now();
  view_->close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  stop = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(other_errors.load(), 0);
}

TEST_F(WebViewTest, AKilledWebProcessFailsPendingWorkTellsNativeCodeAndReloadBringsThePageBack) {
  open(false);
  testing::Gate terminated;
  std::string reason;
  view_->on(kWebProcessTerminatedEvent, [&](const std::string& data) {
    reason = data;
    terminated.open();
    return std::string("null");
  });
  view_->on("ping", [](const std::string&) { return std::string("\"pong\""); });
  std::atomic<int> started{0};
  view_->on("started", [&](const std::string&) {
    started++;
    return std::string("null");
  });
  load_page();
  Result<std::string> pending = std::string();
  std::chrono::steady_clock::duration waited{};
  // Each evaluation tells native code it is running in the page before it waits forever.
  const std::string forever = "(dccview.emit('started'), new Promise(() => {}))";
  std::thread waiter([&] {
    const auto t0 = std::chrono::steady_clock::now();
    pending = view_->eval_js_sync(forever, 30s);
    waited = std::chrono::steady_clock::now() - t0;
  });
  testing::Gate async_answered;
  std::optional<JsError> async_error;
  view_->eval_js_async(forever, [&](std::optional<std::string>, std::optional<JsError> error) {
    async_error = std::move(error);
    async_answered.open();
  }, 30s);
  ASSERT_TRUE(testing::eventually([&] { return started.load() == 2; })) << "both evaluations run in the page";
  ASSERT_GE(test_engine::kill_renderers(), 1);
  ASSERT_TRUE(terminated.wait(10s)) << "native code hears of it";
  waiter.join();
  ASSERT_FALSE(pending.ok()) << "the pending evaluation fails";
  EXPECT_EQ(pending.code(), ErrorCode::kWebProcess) << "a typed error, not a page error: " << pending.error().message;
  EXPECT_THROW(pending.value(), WebProcessError);
  EXPECT_LT(waited, 20s) << "instead of waiting out its timeout";
  ASSERT_TRUE(async_answered.wait(10s));
  ASSERT_TRUE(async_error.has_value());
  EXPECT_EQ(async_error->name, kWebProcessErrorName) << async_error->message;
  EXPECT_EQ(reason, "{\"reason\":\"crashed\"}");
  view_->reload();
  ASSERT_TRUE(testing::eventually([&] {
    auto r = view_->eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
    return r.ok() && r.value() == "true";
  }, 20s)) << "reload brings the page back";
  EXPECT_EQ(eval("dccview.call('ping')"), "\"pong\"");
}

// WebKit alone reloads content given as a string as an empty about:blank page, and would fetch a
// base URL from the network: reload() runs the same HTML again, with or without a base URL.
TEST_F(WebViewTest, ReloadRunsContentGivenAsAStringAgain) {
  open(false);
  for (const std::string base : {"", "https://tool.example/"}) {
    view_->eval_js("window.__previous_page = true");  // the new page is the one without it
    view_->load_html(kPage, base);
    ASSERT_TRUE(testing::eventually(
        [&] { return eval("!window.__previous_page && window.__loaded === true") == "true"; }));
    view_->eval_js("window.__before_reload = true");
    ASSERT_EQ(eval("window.__before_reload"), "true");
    view_->reload();
    ASSERT_TRUE(testing::eventually([&] {
      return eval("!window.__before_reload && window.__loaded === true && document.readyState") == "\"complete\"";
    }, 20s)) << "base URL '" << base << "': " << eval("location.href + ' ' + document.body.innerText");
    EXPECT_EQ(eval("document.querySelector('h1').textContent"), "\"dccview test page\"");
  }
}

}  // namespace
}  // namespace dccview
