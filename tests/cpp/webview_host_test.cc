// Host mode: the WebView on the host's main thread, driven by the host's GLib main loop (a GTK host,
// or a Qt host on the GLib dispatcher). Its own binary: a process runs either dccview's dedicated
// WebView thread or host-mode views, never both.
#include <glib.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace dccview
