// WebView benchmarks, in a real page (needs a display; ./dev bench provides Xvfb):
//   emit_throughput     native emit() -> page listener, dccview vs naive_evaluate (one script per event)
//   js_call_roundtrip   page call() -> C++ handler on the main thread -> promise, vs raw_message (a bare
//                       WebKit script message handler answered by one evaluate, no library)
//   js_call_concurrent  64 calls in flight vs one at a time
//   js_call_burst       N calls made in one page task, per call: 1,000 vs 20,000 (with and without
//                       dcc_mode); a per-call cost that grows with N is a quadratic path somewhere
//   panel_open          constructor to a page that can call native code, vs bare_view (a bare
//                       WebKitWebView in a window of the same size, load_html until load-finished),
//                       p50 over opens
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "benchmarks.h"
#include "core/wait.h"
#include "dccview/dispatcher.h"
#include "dccview/webview.h"
#include "owned_loop_thread.h"
#include "web_bench_support.h"
#include "webview/backend.h"

namespace dccview::bench {
namespace {

using namespace std::chrono_literals;

constexpr const char* kBackend = "webkitgtk";

Arrivals g_raw_arrivals;

// A bare WebKit view answering a script message with one evaluation: the floor a library adds to.
class RawMessageView {
 public:
  RawMessageView() {
    auto gtk = webview_detail::ui_thread();
    gtk->call([this] { create(); }, 30s);
  }
  ~RawMessageView() {
    webview_detail::ui_thread()->call([this] {
      gtk_widget_destroy(window_);
      g_object_unref(context_);  // released on the WebView thread, like dccview's own
    }, 30s);
  }
  std::string run(const std::string& script) {
    struct State {
      detail::Completion done;
      std::string value;
    };
    auto state = std::make_shared<State>();
    webview_detail::ui_thread()->post([this, script, state] {
      auto* holder = new std::shared_ptr<State>(state);
      webkit_web_view_evaluate_javascript(
          view_, script.c_str(), -1, nullptr, nullptr, nullptr,
          [](GObject* source, GAsyncResult* result, gpointer data) {
            std::unique_ptr<std::shared_ptr<State>> h(static_cast<std::shared_ptr<State>*>(data));
            JSCValue* v = webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(source), result, nullptr);
            if (v) {
              char* text = jsc_value_to_string(v);
              (*h)->value = text ? text : "";
              g_free(text);
              g_object_unref(v);
            }
            (*h)->done.set();
          },
          holder);
    });
    state->done.wait_until(detail::deadline_after_ns(std::chrono::nanoseconds(60s).count()));
    return state->value;
  }

 private:
  void create() {
    WebKitUserContentManager* content = webkit_user_content_manager_new();
    g_signal_connect(content, "script-message-received::raw", G_CALLBACK(on_message), this);
    webkit_user_content_manager_register_script_message_handler(content, "raw");
    context_ = webkit_web_context_new();
    view_ = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", context_,
                                         "user-content-manager", content, nullptr));
    g_object_unref(content);
    window_ = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_container_add(GTK_CONTAINER(window_), GTK_WIDGET(view_));
    gtk_widget_show_all(window_);
    webkit_web_view_load_html(view_, "<html><body><script>window.__loaded = true;</script></body></html>", nullptr);
  }
  static void on_message(WebKitUserContentManager*, WebKitJavascriptResult*, gpointer self) {
    g_raw_arrivals.record();
    auto* raw = static_cast<RawMessageView*>(self);
    webkit_web_view_evaluate_javascript(raw->view_, "window.__answer(); true;", -1, nullptr, nullptr,
                                        nullptr, nullptr, nullptr);
  }
  GtkWidget* window_ = nullptr;
  WebKitWebContext* context_ = nullptr;
  WebKitWebView* view_ = nullptr;
};

// Median over `repeats` of the time one page task's `calls` calls take to all resolve, per call.
double burst_us_per_call(WebView& view, int calls, int repeats) {
  const std::string burst = "Promise.all(Array.from({length: " + std::to_string(calls) +
                            "}, () => dccview.call('noop'))).then((r) => r.length)";
  std::vector<double> per_call;
  for (int i = 0; i < repeats; ++i) {
    const std::int64_t t0 = detail::now_ns();
    const auto answered = view.eval_js_sync(burst, 300s);
    const double elapsed_us = static_cast<double>(detail::now_ns() - t0) / 1e3;
    if (!answered.ok() || answered.value() != std::to_string(calls)) return -1;  // shown as a miss
    per_call.push_back(elapsed_us / calls);
  }
  return percentile(per_call, 50);
}

// A bare WebKit view opened like dccview opens its own (a window, a shared web context), timed from
// the worker that asks for it until the page has loaded: what panel_open compares dccview to.
class BareViewOpener {
 public:
  ~BareViewOpener() {
    webview_detail::ui_thread()->call([this] { if (context_) g_object_unref(context_); }, 30s);
  }
  double open_ms(const std::string& html) {
    detail::Completion loaded;
    GtkWidget* window = nullptr;
    const std::int64_t t0 = detail::now_ns();
    webview_detail::ui_thread()->post([&] {
      if (!context_) context_ = webkit_web_context_new();
      auto* view = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", context_, nullptr));
      g_signal_connect(view, "load-changed", G_CALLBACK(+[](WebKitWebView*, WebKitLoadEvent event, gpointer done) {
                         if (event == WEBKIT_LOAD_FINISHED) static_cast<detail::Completion*>(done)->set();
                       }), &loaded);
      window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
      const WebViewOptions same;  // dccview's window size: the engine's work depends on it
      gtk_window_set_default_size(GTK_WINDOW(window), same.width, same.height);
      gtk_container_add(GTK_CONTAINER(window), GTK_WIDGET(view));
      gtk_widget_show_all(window);
      webkit_web_view_load_html(view, html.c_str(), nullptr);
    });
    const bool done = loaded.wait_until(detail::deadline_after_ns(std::chrono::nanoseconds(60s).count())) ==
                      detail::Completion::Wake::kDone;
    const double ms = static_cast<double>(detail::now_ns() - t0) / 1e6;
    webview_detail::ui_thread()->call([&] { gtk_widget_destroy(window); }, 30s);
    return done ? ms : -1;
  }

 private:
  WebKitWebContext* context_ = nullptr;  // WebView thread only
};

}  // namespace

void run_panel_open(const Options& options, Report& report) {
  const std::string page = "<!doctype html><script>dccview.call('opened')</script>";
  const std::string bare_page = "<!doctype html><script>1</script>";
  const int opens = options.quick ? 5 : 15;
  std::vector<double> ours, bare;
  BareViewOpener opener;
  for (int i = 0; i <= opens; ++i) {  // the first round warms both up (web process, caches): not counted
    detail::Completion called;
    const std::int64_t t0 = detail::now_ns();
    {
      WebView view(WebViewOptions{});
      view.on("opened", [&called](const std::string&) {
        called.set();
        return std::string("null");
      });
      view.load_html(page);
      const bool ok = called.wait_until(detail::deadline_after_ns(std::chrono::nanoseconds(60s).count())) ==
                      detail::Completion::Wake::kDone;
      if (i > 0) ours.push_back(ok ? static_cast<double>(detail::now_ns() - t0) / 1e6 : -1);
    }
    const double bare_ms = opener.open_ms(bare_page);
    if (i > 0) bare.push_back(bare_ms);
  }
  add_web_row(report, kBackend, Row{"panel_open", "dccview", {{"p50_ms", percentile(ours, 50)}}});
  add_web_row(report, kBackend, Row{"panel_open", "bare_view", {{"p50_ms", percentile(bare, 50)}}});
}

void run_js_call_burst(const Options& options, Report& report) {
  OwnedLoopThread main_loop;  // the DCC main thread, for dcc_mode
  for (const bool dcc_mode : {false, true}) {
    WebViewOptions view_options;
    view_options.dcc_mode = dcc_mode;
    view_options.main_dispatcher = main_loop.shared();
    WebView view(view_options);
    view.on("noop", [](const std::string&) { return std::string("null"); });
    view.load_html(kTickPage);
    wait_ready(view);
    burst_us_per_call(view, 1000, 1);  // warm-up: the page's code compiled, the engine's heaps grown
    for (const int calls : {1000, 20000}) {
      const int repeats = options.quick ? 3 : (calls == 1000 ? 15 : 5);
      add_web_row(report, kBackend, Row{"js_call_burst", "calls_" + std::to_string(calls),
                     {{"us_per_call", burst_us_per_call(view, calls, repeats)},
                      {"dcc_mode", dcc_mode ? 1.0 : 0.0}}});
    }
  }
}

void run_webview(const Options& options, Report& report) {
  OwnedLoopThread main_loop;  // the DCC main thread
  WebViewOptions view_options;
  view_options.dcc_mode = true;
  view_options.main_dispatcher = main_loop.shared();
  WebView view(view_options);
  view.on("noop", [](const std::string&) { return std::string("null"); });
  view.load_html(kTickPage);
  wait_ready(view);

  run_emit_throughput(options, view, report, kBackend);

  // Rounds of sequential calls, dccview and raw_message taking turns.
  const int rounds = 10, calls = options.quick ? 50 : 200;
  auto eval = [&](const std::string& s) { return view.eval_js_sync(s, 120s).value(); };
  Arrivals arrivals;
  view.on("timed_noop", [&](const std::string&) {
    arrivals.record();
    return std::string("null");
  });
  {
    RawMessageView raw;
    while (raw.run("window.__loaded === true") != "true") std::this_thread::sleep_for(20ms);
    raw.run("window.__answer = () => window.__pending(); true");
    const std::string raw_call =
        "new Promise((r) => { window.__pending = r; window.webkit.messageHandlers.raw.postMessage(1); })";
    for (int round = 0; round < rounds; ++round) {
      eval(sequential_calls("dccview.call('timed_noop')", calls));
      arrivals.end_round();
      // evaluate_javascript does not await promises: start the loop, then poll for its end.
      raw.run("window.__done = false; " + sequential_calls(raw_call, calls) +
              ".then(() => window.__done = true); true");
      while (raw.run("window.__done") != "true") std::this_thread::sleep_for(5ms);
      g_raw_arrivals.end_round();
    }
  }
  add_web_row(report, kBackend, Row{"js_call_roundtrip", "dccview", {{"p50_us", arrivals.p50_interval_us()}}});
  add_web_row(report, kBackend, Row{"js_call_roundtrip", "raw_message", {{"p50_us", g_raw_arrivals.p50_interval_us()}}});

  const int total = options.quick ? 2000 : 10000;
  add_web_row(report, kBackend,
              Row{"js_call_concurrent", "sequential", {{"calls_per_s", std::stod(eval(sequential_rate_script(total)))}}});
  add_web_row(report, kBackend,
              Row{"js_call_concurrent", "in_flight_64", {{"calls_per_s", std::stod(eval(concurrent_rate_script(total)))}}});
}

}  // namespace dccview::bench
