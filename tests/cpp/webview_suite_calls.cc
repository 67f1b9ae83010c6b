// The shared WebView suite (every engine runs it: WebKitGTK in dccview_webview_tests, Qt WebEngine in
// dccview_qtwebengine_tests; engine-only tests live in webview_test.cc and qtwebengine_test.cc):
// page calls: answers, dcc_mode, unknown methods, handler errors, many calls in one task.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

TEST_F(WebViewTest, PageCallResolvesWithTheHandlersReturnValue) {
  open(false);
  view_->on("add", [](const std::string& params) {
    EXPECT_EQ(params, "{\"a\":2,\"b\":3}");
    return std::string("5");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('add', {a: 2, b: 3})"), "5");
}

TEST_F(WebViewTest, HandlersRunOnTheWebViewThreadWithoutDccMode) {
  open(false);
  std::atomic<bool> on_main{true};
  view_->on("where", [&](const std::string&) {
    on_main = main_->is_main_thread();
    return std::string("null");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('where')"), "null");
  EXPECT_FALSE(on_main.load());
}

TEST_F(WebViewTest, HandlersRunOnTheMainThreadInDccModeForCallsAndEvents) {
  open(true);
  std::atomic<int> calls_on_main{0}, events_on_main{0};
  view_->on("create", [&](const std::string&) {
    if (main_->is_main_thread()) calls_on_main++;
    return std::string("\"cube1\"");
  });
  view_->on("progress", [&](const std::string&) {
    if (main_->is_main_thread()) events_on_main++;
    return std::string("null");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('create')"), "\"cube1\"");
  eval("dccview.emit('progress', 1), true");
  EXPECT_TRUE(testing::eventually([&] { return events_on_main.load() == 1; }));
  EXPECT_EQ(calls_on_main.load(), 1);
}

TEST_F(WebViewTest, UnknownMethodIsRejectedAtOnceWithNotFoundError) {
  open(false);
  load_page();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(eval("dccview.call('missing').catch((e) => e.name + '/' + e.code)"),
            "\"NotFoundError/NotFoundError\"");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(WebViewTest, HandlerExceptionRejectsWithHandlerErrorCarryingTypeAndMessage) {
  open(false);
  view_->on("fail", [](const std::string&) -> std::string { throw std::out_of_range("row 12"); });
  load_page();
  const std::string got = eval("dccview.call('fail').catch((e) => [e.name, e.message, e.type])");
  EXPECT_EQ(got, "[\"HandlerError\",\"row 12\",\"std::out_of_range\"]");
}

// Calls and emits made in one page task travel as one batch; each still gets its own answer.
TEST_F(WebViewTest, ManyCallsInOneTaskEachGetTheirOwnAnswer) {
  open(true);
  std::atomic<int> emitted{0};
  view_->on("echo", [](const std::string& params) { return params; });
  view_->on("page_event", [&](const std::string&) {
    ++emitted;
    return std::string("null");
  });
  load_page();
  const std::string result = eval(
      "Promise.all(Array.from({length: 100}, (_, i) => i % 10 === 9"
      " ? dccview.call('missing').catch(e => e.name)"
      " : (dccview.emit('page_event', i), dccview.call('echo', i)))).then(r => r.join(','))");
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    expected += (i ? "," : "") + (i % 10 == 9 ? std::string("NotFoundError") : std::to_string(i));
  }
  EXPECT_EQ(result, "\"" + expected + "\"");
  EXPECT_TRUE(testing::eventually([&] { return emitted.load() == 90; }, 10s)) << emitted.load();
}

}  // namespace
}  // namespace dccview
