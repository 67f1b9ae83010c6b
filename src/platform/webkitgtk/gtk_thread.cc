// The dedicated WebView thread: GTK initialized and its default main context iterated on a thread of
// dccview's own, so the host's main thread stays free (WebKitGTK works there when nothing else in the
// process uses GTK: docs/architecture.md). One per process, stopped at exit: a process exiting with
// the GTK thread still running can abort.
#include <gtk/gtk.h>

#include <cstdlib>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/thread_name.h"
#include "dccview/dispatcher.h"
#include "dccview/glib_loop.h"
#include "dccview/lock_order.h"
#include "webview/backend.h"

namespace dccview::webview_detail {

namespace {

struct GtkThread {
  std::thread thread;
  GMainLoop* loop = nullptr;
  std::shared_ptr<Dispatcher> dispatcher;
  std::string error;

  void start() {
    std::promise<void> ready;
    auto started = ready.get_future();
    thread = std::thread([this, &ready] {
      detail::set_current_thread_name("dccview-webview");
      if (!gtk_init_check(nullptr, nullptr)) {
        error = "dccview: cannot start the WebView thread: GTK found no display (set DISPLAY, or run "
                "under Xvfb)";
        ready.set_value();
        return;
      }
      dispatcher = std::make_shared<Dispatcher>(ThreadSafetyConfig{}, QueueOptions{}, "WebView-thread");
      dispatcher->install<GlibLoop>(nullptr);
      loop = g_main_loop_new(nullptr, FALSE);
      ready.set_value();
      g_main_loop_run(loop);
    });
    started.wait();
    if (!error.empty()) thread.join();
  }

  void stop() {
    if (!thread.joinable()) return;
    dispatcher->try_call([] { release_platform_globals(); }, std::chrono::seconds(5), "release web context");
    dispatcher->shutdown();
    g_main_loop_quit(loop);
    thread.join();
    dispatcher->discard_pending();
  }
};

CheckedMutex& start_mutex() {
  static auto* mutex = new CheckedMutex("dccview.webview.start", LockLevel::kGlobal, kLeaf);
  return *mutex;
}

GtkThread* g_thread = nullptr;

void stop_at_exit() {
  if (g_thread != nullptr) g_thread->stop();
}

}  // namespace

namespace {
// Host mode: one dispatcher on the host's main thread (the owner of the default GLib context).
std::shared_ptr<Dispatcher>* g_host = nullptr;  // guarded by start_mutex(); leaked at exit

std::shared_ptr<Dispatcher> existing_host_dispatcher() {
  CheckedLock lock(start_mutex());
  if (g_thread != nullptr) {
    throw std::runtime_error("dccview: host mode is not available: this process already runs "
                             "dccview's dedicated WebView thread");
  }
  return g_host != nullptr ? *g_host : nullptr;
}

// The lock is not held while GTK starts or the dispatcher installs (installing takes other locks):
// only the host's main thread gets here, and a second one is refused below.
std::shared_ptr<Dispatcher> host_thread() {
  auto dispatcher = existing_host_dispatcher();
  if (dispatcher == nullptr) {
    if (!gtk_init_check(nullptr, nullptr)) {
      throw std::runtime_error("dccview: GTK found no display (set DISPLAY, or run under Xvfb)");
    }
    auto created = std::make_shared<Dispatcher>(ThreadSafetyConfig{}, QueueOptions{}, "WebView-thread");
    created->install<GlibLoop>(nullptr);
    CheckedLock lock(start_mutex());
    if (g_host == nullptr) g_host = new std::shared_ptr<Dispatcher>(created);
    dispatcher = *g_host;
  }
  if (!dispatcher->is_main_thread()) {
    throw std::runtime_error("dccview: host-mode WebViews must be created on the host's main thread "
                             "(the one that created the first)");
  }
  return dispatcher;
}

bool dedicated_thread_running() {
  CheckedLock lock(start_mutex());
  return g_thread != nullptr;
}
}  // namespace

}  // namespace dccview::webview_detail

namespace dccview {

bool pump_host_webviews(std::chrono::nanoseconds budget) {
  GMainContext* context = g_main_context_default();
  // Acquired for good: this thread iterates the default context from now on, in slices.
  if (!g_main_context_is_owner(context) && !g_main_context_acquire(context)) {
    throw std::logic_error("dccview: pump_host_webviews: another thread runs the default GLib context");
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (g_main_context_iteration(context, FALSE)) {
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  return g_main_context_pending(context) != FALSE;
}

}  // namespace dccview

namespace dccview::webview_detail {

std::shared_ptr<Dispatcher> thread_for(ThreadMode mode) {
  if (mode == ThreadMode::kDedicated) return ui_thread();
  if (mode == ThreadMode::kHost) return host_thread();
  GMainContext* context = g_main_context_default();
  if (g_main_context_is_owner(context)) return host_thread();
  if (dedicated_thread_running()) return ui_thread();
  if (!g_main_context_acquire(context)) {
    throw std::runtime_error(
        "dccview: another thread runs the default GLib context (a Qt or GTK host): create the "
        "WebView on that thread (ThreadMode::kHost); a second GTK thread here would crash");
  }
  g_main_context_release(context);
  return ui_thread();
}

}  // namespace dccview::webview_detail

namespace dccview {

// The build's default engine: WebView(options) makes a WebKitGTK view.
WebView::WebView(WebViewOptions options) : WebView(std::move(options), webview_detail::default_platform()) {}

}  // namespace dccview

namespace dccview::webview_detail {

const Platform& default_platform() {
  static const Platform platform{
      thread_for,
      [](const std::shared_ptr<Dispatcher>& view_queue) { view_queue->install<GlibLoop>(nullptr); },  // a GSource on this thread
      create_backend,
      [](const std::shared_ptr<Dispatcher>& thread) { return dedicated_thread_running() && thread == ui_thread(); },
  };
  return platform;
}

std::shared_ptr<Dispatcher> ui_thread() {
  CheckedLock lock(start_mutex());
  if (g_thread == nullptr) {
    auto* started = new GtkThread();  // lives until exit
    started->start();
    if (!started->error.empty()) {
      const std::string error = started->error;
      delete started;
      throw std::runtime_error(error);
    }
    g_thread = started;
    std::atexit(stop_at_exit);
  }
  return g_thread->dispatcher;
}

}  // namespace dccview::webview_detail
