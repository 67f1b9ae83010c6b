// WebView on Qt WebEngine (dccview/qtwebengine.h) in a real QApplication under Xvfb. The main thread is
// the Qt GUI thread running the application's loop with a QtLoop dispatcher; the tests run on a worker,
// as a DCC's tool code and its threads would. The shared core's guarantees are tested once on
// WebKitGTK (webview_test.cc): these check what the engine brings (bridge, evaluation, crash, close,
// the widget and its parent) and that the core holds on it.
#include "dccview/qtwebengine.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <QApplication>
#include <QMetaObject>
#include <QWidget>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <thread>

#include "dccview/dispatcher.h"
#include "dccview/qt_loop.h"
#include "processes.h"

namespace dccview {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<Dispatcher> g_gui;  // the GUI thread's dispatcher (set by main)

constexpr const char* kPage = R"html(<!doctype html><html><body><h1>dccview Qt WebEngine test</h1><script>
  window.received = [];
  dccview.on("tick", (data) => window.received.push(data));
  dccview.whenReady().then(() => dccview.call("ready"));
</script></body></html>)html";

// A view on the test page, ready (its page called "ready").
struct Opened {
  qtwebengine::View made;
  WebView& view() { return *made.view; }
};

Opened open_view(WebViewOptions options = {}, void* parent = nullptr) {
  std::atomic<bool> ready{false};
  options.main_dispatcher = g_gui;
  Opened opened{qtwebengine::create_view(options, g_gui, parent)};
  opened.view().on("ready", [&ready](const std::string&) {
    ready = true;
    return std::string("null");
  });
  opened.view().load_html(kPage);
  for (int i = 0; i < 3000 && !ready; ++i) std::this_thread::sleep_for(10ms);  // polled: the page's own pace
  EXPECT_TRUE(ready.load()) << "the page never called";
  return opened;
}

std::thread::id gui_thread_id() {
  return g_gui->try_call([] { return std::this_thread::get_id(); }, 10s).value();
}

TEST(QtWebEngine, PageCallsReachHandlersOnTheGuiThreadAndGetTheirValues) {
  auto opened = open_view();
  std::thread::id ran_on;
  opened.view().on("add", [&ran_on](const std::string& params) {
    ran_on = std::this_thread::get_id();
    const auto a = params.find("\"a\":"), b = params.find("\"b\":");
    return std::to_string(std::stoi(params.substr(a + 4)) + std::stoi(params.substr(b + 4)));
  });
  auto sum = opened.view().eval_js_sync("dccview.call('add', {a: 2, b: 40})", 10s);
  ASSERT_TRUE(sum.ok()) << sum.error().message;
  EXPECT_EQ(sum.value(), "42");
  EXPECT_EQ(ran_on, gui_thread_id());
}

TEST(QtWebEngine, EvaluationsAwaitPromisesAndReportPageErrorsAndTimeouts) {
  auto opened = open_view();
  auto value = opened.view().eval_js_sync("new Promise(r => setTimeout(() => r({x: [1, 'two']}), 20))", 10s);
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(value.value(), "{\"x\":[1,\"two\"]}");
  auto thrown = opened.view().eval_js_sync("(function thrower() { throw new RangeError('too far'); })()", 10s);
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, ErrorCode::kJavaScript);
  EXPECT_NE(thrown.error().message.find("RangeError: too far"), std::string::npos) << thrown.error().message;
  auto late = opened.view().eval_js_sync("new Promise(() => {})", 200ms);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kTimeout);
}

TEST(QtWebEngine, EvalJsSyncOnTheGuiThreadIsRefusedAtOnce) {
  auto opened = open_view();
  WebView& view = opened.view();
  auto outcome = g_gui->try_call([&view] { return view.eval_js_sync("1", 10s); }, 10s);
  ASSERT_TRUE(outcome.ok());
  ASSERT_FALSE(outcome.value().ok());
  EXPECT_EQ(outcome.value().error().code, ErrorCode::kDeadlock);
}

TEST(QtWebEngine, EmitsFromManyThreadsArriveInOrderPerThread) {
  auto opened = open_view();
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&opened, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(opened.view().emit("tick", "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}").ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string check = R"js(new Promise((resolve) => {
    const done = () => window.received.length >= 1000;
    const verdict = () => { const last = {}; for (const e of window.received) {
      if ((last[e.t] ?? -1) + 1 !== e.i) return "out of order"; last[e.t] = e.i; } return window.received.length; };
    const poll = () => done() ? resolve(verdict()) : setTimeout(poll, 5); poll(); }))js";
  auto verdict = opened.view().eval_js_sync(check, 20s);
  ASSERT_TRUE(verdict.ok()) << verdict.error().message;
  EXPECT_EQ(verdict.value(), "1000");
}

TEST(QtWebEngine, CloseRejectsThePagesPendingCallsAndLaterOperationsFail) {
  auto opened = open_view();
  std::atomic<int> closed_events{0};
  opened.view().on("dccview:closed", [&closed_events](const std::string&) {
    ++closed_events;
    return std::string("null");
  });
  WebViewProxy proxy = opened.view().get_proxy();
  opened.view().close();
  EXPECT_TRUE(opened.view().is_closed());
  EXPECT_EQ(closed_events.load(), 1);
  EXPECT_EQ(proxy.emit("tick", "1").error().code, ErrorCode::kShutdown);
  EXPECT_EQ(proxy.eval_js_sync("1").error().code, ErrorCode::kShutdown);
}

// Kills Qt WebEngine's renderer processes of this process: the ones its zygote forked (their parent is
// a QtWebEngineProcess too; their command line is still the zygote's). The zygotes live on.
int kill_renderers() {
  const auto table = test::processes();
  const auto is_engine = [&table](int pid) {
    auto found = table.find(pid);
    return found != table.end() && found->second.name.rfind("QtWebEngineProc", 0) == 0;
  };
  int killed = 0;
  for (const auto& [pid, info] : table) {
    if (!is_engine(pid) || !is_engine(info.parent)) continue;  // a renderer: forked by a zygote
    for (int up = info.parent; up > 1; up = table.count(up) ? table.at(up).parent : 0) {
      if (up == getpid()) {
        if (kill(pid, SIGKILL) == 0) ++killed;
        break;
      }
    }
  }
  return killed;
}

TEST(QtWebEngine, AKilledRendererIsAWebProcessErrorAndReloadBringsThePageBack) {
  auto opened = open_view();
  std::atomic<int> terminated{0};
  opened.view().on("dccview:web_process_terminated", [&terminated](const std::string&) {
    ++terminated;
    return std::string("null");
  });
  Result<std::string> pending = Error{};
  std::thread waiter([&] { pending = opened.view().eval_js_sync("new Promise(() => {})", 30s); });
  std::this_thread::sleep_for(300ms);  // the evaluation is in the page (a longer wait only slows the test)
  EXPECT_GE(kill_renderers(), 1);
  waiter.join();
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, ErrorCode::kWebProcess) << pending.error().message;
  for (int i = 0; i < 500 && terminated == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(terminated.load(), 1);
  std::atomic<bool> again{false};
  opened.view().on("ready", [&again](const std::string&) {
    again = true;
    return std::string("null");
  });
  opened.view().reload();
  for (int i = 0; i < 3000 && !again; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(again.load()) << "the page did not come back";
}

TEST(QtWebEngine, AParentDeletedUnderTheViewClosesItGracefully) {
  QWidget* parent = g_gui->try_call([] {
    auto* widget = new QWidget();
    widget->resize(400, 300);
    widget->show();
    return widget;
  }, 10s).value();
  auto opened = open_view({}, parent);
  EXPECT_EQ(g_gui->try_call([&] { return static_cast<QWidget*>(opened.made.widget)->parentWidget() == parent; },
                            10s).value(), true);
  std::atomic<int> closed_events{0};
  opened.view().on("dccview:closed", [&closed_events](const std::string&) {
    ++closed_events;
    return std::string("null");
  });
  ASSERT_TRUE(g_gui->try_call([parent] { delete parent; }, 10s).ok());
  for (int i = 0; i < 500 && closed_events == 0; ++i) std::this_thread::sleep_for(10ms);  // its own pace
  EXPECT_TRUE(opened.view().is_closed());
  EXPECT_EQ(closed_events.load(), 1);
  EXPECT_EQ(opened.view().emit("tick", "1").code(), ErrorCode::kShutdown);
}

TEST(QtWebEngine, TheInspectorOpensForDebugViewsOnly) {
  auto plain = open_view();
  EXPECT_EQ(plain.view().show_inspector().code(), ErrorCode::kInvalidArgument);
  WebViewOptions options;
  options.debug = true;
  auto debug = open_view(options);
  EXPECT_TRUE(debug.view().show_inspector().ok());
  auto value = debug.view().eval_js_sync("1 + 1", 10s);  // the page goes on with the inspector attached
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(value.value(), "2");
}

TEST(QtWebEngine, ScreenshotsShowThePage) {
  WebViewOptions options;
  options.width = 320;
  options.height = 200;
  auto opened = open_view(options);
  const auto path = std::filesystem::temp_directory_path() / ("dccview_qwe_" + std::to_string(getpid()) + ".png");
  // Painting lags the page's readiness by a frame or two: grabbed until the heading shows (a blank
  // 320x200 PNG is a few hundred bytes), for up to 10 s.
  std::uintmax_t size = 0;
  for (int attempt = 0; attempt < 100 && size <= 1000; ++attempt) {
    auto saved = opened.view().save_screenshot(path.string());
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    size = std::filesystem::file_size(path);
    if (size <= 1000) std::this_thread::sleep_for(100ms);
  }
  EXPECT_GT(size, 1000u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dccview

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (getuid() == 0) setenv("QTWEBENGINE_DISABLE_SANDBOX", "1", 0);  // Chromium refuses root otherwise
  QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);        // Qt WebEngine, before the app
  QApplication app(argc, argv);
  QApplication::setQuitOnLastWindowClosed(false);  // the tests close every window they open
  dccview::g_gui = std::make_shared<dccview::Dispatcher>();
  dccview::g_gui->install<dccview::QtLoop>();
  int status = 1;
  std::thread tests([&status, &app] {
    status = RUN_ALL_TESTS();
    QMetaObject::invokeMethod(&app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
  });
  app.exec();
  tests.join();
  dccview::g_gui->shutdown();
  dccview::g_gui.reset();  // its QObject goes on this (the GUI) thread, before the application
  return status;
}
