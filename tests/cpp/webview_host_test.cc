// Host mode: the WebView on the host's main thread, driven by the host's GLib main loop (a GTK host,
// or a Qt host on the GLib dispatcher). Its own binary: a process runs either dccview's dedicated
// WebView thread or host-mode views, never both.
#include <glib.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "dccview/manual_loop.h"
#include "dccview/webview.h"
#include "test_support.h"

namespace dccview {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPage =
    "<!doctype html><html><body><script>window.__loaded = true;</script></body></html>";

// Runs the host's main loop on this thread until `body` (on a worker) returns.
void run_host_loop_while(const std::function<void()>& body) {
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  std::thread worker([&] {
    body();
    g_main_loop_quit(loop);
  });
  g_main_loop_run(loop);
  worker.join();
  g_main_loop_unref(loop);
}

bool wait_ready(const WebViewProxy& proxy) {
  return testing::eventually([&] {
    auto r = proxy.eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
    return r.ok() && r.value() == "true";
  }, 20s);
}

TEST(WebViewHostMode, AutoModeOnTheThreadThatOwnsTheDefaultContextLivesThere) {
  GMainContext* context = g_main_context_default();
  ASSERT_TRUE(g_main_context_acquire(context));  // this thread is the host's GLib main thread
  const auto host = std::this_thread::get_id();
  auto view = std::make_unique<WebView>(WebViewOptions{});  // ThreadMode::kAuto
  EXPECT_EQ(view->thread_mode(), ThreadMode::kHost) << "auto resolved to the host's thread, and says so";
  std::thread::id handler_thread;
  view->on("where", [&](const std::string&) {
    handler_thread = std::this_thread::get_id();
    return std::string("null");
  });
  view->load_html(kPage);
  EXPECT_EQ(view->eval_js_sync("1").code(), ErrorCode::kDeadlock)
      << "the host thread is the WebView thread: it would wait for itself";
  const WebViewProxy proxy = view->get_proxy();
  std::string answer;
  bool ready = false;
  run_host_loop_while([&] {
    ready = wait_ready(proxy);
    answer = proxy.eval_js_sync("dccview.call('where')", 10s).value();
  });
  EXPECT_TRUE(ready);
  EXPECT_EQ(answer, "null");
  EXPECT_EQ(handler_thread, host) << "handlers run on the host thread, where DCC APIs are allowed";
  view->close();
  while (g_main_context_iteration(context, FALSE)) {
  }
  EXPECT_EQ(proxy.emit("x", "1").code(), ErrorCode::kShutdown);
  g_main_context_release(context);
}

TEST(WebViewHostMode, AHostModeViewOnAnotherThreadIsRefusedWithAClearError) {
  WebViewOptions host_options;
  host_options.thread_mode = ThreadMode::kHost;
  WebView on_main(host_options);  // the host's main thread is this one
  std::string message;
  std::thread other([&] {
    try {
      WebViewOptions options;
      options.thread_mode = ThreadMode::kHost;
      WebView view(options);
    } catch (const std::runtime_error& e) {
      message = e.what();
    }
  });
  other.join();
  EXPECT_NE(message.find("main thread"), std::string::npos) << message;
  on_main.close();
  while (g_main_context_iteration(g_main_context_default(), FALSE)) {
  }
}

// A host whose loop is not GLib's drives host-mode views by pumping from its own tick: the page
// loads, calls reach handlers on the host thread, emits arrive, all without a GLib main loop.
TEST(WebViewHostMode, AHostWithoutAGlibLoopPumpsFromItsOwnTick) {
  WebViewOptions options;
  options.thread_mode = ThreadMode::kHost;
  auto view = std::make_unique<WebView>(options);
  const auto host = std::this_thread::get_id();
  std::thread::id handler_thread;
  view->on("where", [&](const std::string&) {
    handler_thread = std::this_thread::get_id();
    return std::string("\"host\"");
  });
  view->load_html(kPage);
  const WebViewProxy proxy = view->get_proxy();
  std::atomic<bool> done{false};
  bool ready = false;
  std::string answer, received;
  std::thread tool([&] {  // a tool's worker thread
    ready = wait_ready(proxy);
    answer = proxy.eval_js_sync("dccview.call('where')", 10s).value();
    proxy.eval_js("window.got = []; dccview.on('tick', (d) => window.got.push(d))");
    for (int i = 0; i < 3; ++i) proxy.emit("tick", std::to_string(i));
    testing::eventually([&] {
      auto r = proxy.eval_js_sync("JSON.stringify(window.got)", 2s);
      received = r.ok() ? r.value() : "";
      return received == "\"[0,1,2]\"";
    }, 10s);
    done = true;
  });
  std::uint64_t ticks = 0;
  while (!done) {  // the host's own loop: a 2 ms tick that pumps for at most 1 ms
    pump_host_webviews(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(2ms);
    ++ticks;
  }
  tool.join();
  EXPECT_TRUE(ready);
  EXPECT_EQ(answer, "\"host\"");
  EXPECT_EQ(handler_thread, host);
  EXPECT_EQ(received, "\"[0,1,2]\"");
  EXPECT_GT(ticks, 0u);
  view->close();
  while (pump_host_webviews(std::chrono::milliseconds(5))) {
  }
  EXPECT_EQ(proxy.emit("x", "1").code(), ErrorCode::kShutdown);
}

// In host mode the WebView thread is the main thread: dcc_mode handlers run there at once instead of
// waiting for the host to pump its main-thread queue (here it never pumps at all).
TEST(WebViewHostMode, DccModeHandlersInHostModeRunAtOnceOnTheMainThread) {
  auto main = std::make_shared<Dispatcher>();
  main->install<ManualLoop>();  // a host that would pump from a timer; it never does in this test
  WebViewOptions options;
  options.thread_mode = ThreadMode::kHost;
  options.dcc_mode = true;
  options.main_dispatcher = main;
  auto view = std::make_unique<WebView>(options);
  std::thread::id handler_thread;
  int events = 0;
  view->on("where", [&](const std::string&) {
    handler_thread = std::this_thread::get_id();
    return std::string("1");
  });
  view->on("note", [&](const std::string&) {
    ++events;
    return std::string("null");
  });
  view->load_html(kPage);
  const WebViewProxy proxy = view->get_proxy();
  std::string answer;
  std::atomic<bool> done{false};
  std::thread tool([&] {
    if (wait_ready(proxy)) {
      proxy.eval_js("dccview.emit('note', 1)");
      auto r = proxy.eval_js_sync("dccview.call('where')", 10s);
      answer = r.ok() ? r.value() : r.error().message;
    }
    done = true;
  });
  while (!done) pump_host_webviews(std::chrono::milliseconds(2));
  tool.join();
  EXPECT_EQ(answer, "1");
  EXPECT_EQ(handler_thread, std::this_thread::get_id());
  EXPECT_EQ(events, 1);
  EXPECT_EQ(main->stats().accepted, 0u) << "nothing went through the main-thread queue";
  view->close();
  while (pump_host_webviews(std::chrono::milliseconds(5))) {
  }
}

}  // namespace
}  // namespace dccview
