// WebView on Qt WebEngine (dccview/qtwebengine.h) in a real QApplication under Xvfb. The main thread is
// the Qt GUI thread running the application's loop with a QtLoop dispatcher; the tests run on a worker,
// as a DCC's tool code and its threads would. The shared WebView suite (webview_suite_*.cc) runs here
// too, on views this file's test_engine makes; the tests below check what only this engine has (the
// GUI thread, the widget and its parent, the inspector, screenshots).
#include "dccview/qtwebengine.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <QApplication>
#include <QEventLoop>
#include <QTimer>
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
#include "webview_engine.h"

namespace dccview {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<Dispatcher> g_gui;  // the GUI thread's dispatcher (set by main)

}  // namespace

// The engine under the shared WebView suite (webview_suite_*.cc): views on this binary's Qt GUI thread.
namespace test_engine {

const char* name() { return "qtwebengine"; }

std::unique_ptr<WebView> make_view(WebViewOptions options) {
  return qtwebengine::create_view(std::move(options), g_gui).view;
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

// Qt's transport exists in the bridge's ApplicationWorld alone.
const char* native_channel_from_page() { return "window.qt && window.qt.webChannelTransport"; }

std::string native_channel_post(const std::string& message) {
  return "window.qt.webChannelTransport.send(" + message + ")";
}

}  // namespace test_engine

namespace {


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
  EXPECT_EQ(opened.view().thread_mode(), ThreadMode::kHost) << "Qt WebEngine views live on the GUI thread";
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

// A handler on the GUI thread that spins a nested event loop, as one showing a modal or file dialog
// does: the page's other calls and the evaluations keep flowing meanwhile (handled inside the channel's
// call, they would wait for the dialog to close: Chromium runs none of its tasks there).
TEST(QtWebEngine, AHandlerInANestedEventLoopDoesNotHoldUpThePage) {
  auto opened = open_view();
  std::atomic<bool> in_dialog{false}, release{false};
  opened.view().on("dialog", [&](const std::string&) {
    in_dialog = true;
    QEventLoop dialog;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] { if (release) dialog.quit(); });
    poll.start(5);
    dialog.exec();
    return std::string("\"closed\"");
  });
  opened.view().on("fast", [](const std::string&) { return std::string("\"fast\""); });
  opened.view().eval_js("window.dialog = dccview.call('dialog')");
  for (int i = 0; i < 500 && !in_dialog; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(in_dialog.load());
  const auto started = std::chrono::steady_clock::now();
  auto fast = opened.view().eval_js_sync("dccview.call('fast')", 10s);  // an evaluation and a call
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  EXPECT_EQ(fast.value(), "\"fast\"");
  release = true;
  auto closed = opened.view().eval_js_sync("window.dialog", 10s);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_EQ(closed.value(), "\"closed\"");
}

TEST(QtWebEngine, EvalJsSyncOnTheGuiThreadIsRefusedAtOnce) {
  auto opened = open_view();
  WebView& view = opened.view();
  auto outcome = g_gui->try_call([&view] { return view.eval_js_sync("1", 10s); }, 10s);
  ASSERT_TRUE(outcome.ok());
  ASSERT_FALSE(outcome.value().ok());
  EXPECT_EQ(outcome.value().error().code, ErrorCode::kDeadlock);
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
