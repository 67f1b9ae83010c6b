// WebView benchmarks, in a real page (needs a display; ./dev bench provides Xvfb):
//   emit_throughput     native emit() -> page listener, dccview vs naive_evaluate (one script per event)
//   js_call_roundtrip   page call() -> C++ handler on the main thread -> promise, vs raw_message (a bare
//                       WebKit script message handler answered by one evaluate, no library)
//   js_call_concurrent  64 calls in flight vs one at a time
//   js_call_burst       N calls made in one page task, per call: 1,000 vs 20,000 (with and without
//                       dcc_mode); a per-call cost that grows with N is a quadratic path somewhere
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
#include "webview/backend.h"

namespace dccview::bench {
namespace {

// Every WebView row says which engine it measured (this file: WebKitGTK; the Qt WebEngine figures
// come from bench/python/qtwebengine_bench.py).
void add_web_row(Report& report, Row row) {
  row.backend = "webkitgtk";
  report.add(std::move(row));
}


using namespace std::chrono_literals;

constexpr const char* kPage = R"html(<!doctype html><html><body><script>
  window.received = 0;
  window.lastSeq = -1;
  dccview.on("tick", (batchSeq) => { window.received++; window.lastSeq = batchSeq; });
  window.onTick = (seq) => { window.received++; window.lastSeq = seq; };
  window.__loaded = true;
</script></body></html>)html";

void wait_ready(WebView& view) {
  for (int i = 0; i < 400; ++i) {
    auto r = view.eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
    if (r.ok() && r.value() == "true") return;
    std::this_thread::sleep_for(25ms);
  }
}

long long as_count(const Result<std::string>& r) { return r.ok() ? std::stoll(r.value()) : -1; }

struct EmitRun {
  double events_per_s;
  double p99_latency_ms;
  int refused;  // emits refused (more than max_payload_bytes waiting for the page): not delivered
};

// Emits `events` from a worker, as fast as possible (pace_per_s == 0) or paced at pace_per_s. The
// page acknowledges the latest sequence number every 5 ms, which gives each event's latency (emit ->
// listener, plus up to 5 ms of acknowledgement delay and the trip back).
template <class EmitFn>
EmitRun run_emits(WebView& view, int events, double pace_per_s, EmitFn emit) {
  view.eval_js_sync("window.received = 0; window.lastSeq = -1; true");
  std::vector<std::int64_t> sent(events);
  std::mutex acks_mutex;
  std::vector<std::pair<long long, std::int64_t>> acks;  // (highest seq received, when)
  view.on("ack", [&](const std::string& seq) {
    std::lock_guard lock(acks_mutex);
    acks.emplace_back(std::stoll(seq), detail::now_ns());
    return std::string("null");
  });
  view.eval_js_sync("window.ackTimer = setInterval(() => dccview.emit('ack', window.lastSeq), 5); true");
  const std::int64_t t0 = detail::now_ns();
  int refused = 0;
  std::thread producer([&] {
    for (int i = 0; i < events; ++i) {
      if (pace_per_s > 0) {
        const auto due = t0 + static_cast<std::int64_t>(i * 1e9 / pace_per_s);
        while (detail::now_ns() < due) std::this_thread::yield();
      }
      sent[i] = detail::now_ns();
      if (!emit(i)) ++refused;
    }
  });
  producer.join();
  // Every accepted event arrives; a bounded wait keeps a lost one from hanging the run.
  const std::int64_t give_up = detail::now_ns() + 120'000'000'000;
  while (as_count(view.eval_js_sync("window.received", 10s)) < events - refused && detail::now_ns() < give_up) {
    std::this_thread::sleep_for(2ms);
  }
  const double seconds = static_cast<double>(detail::now_ns() - t0) / 1e9;
  std::this_thread::sleep_for(20ms);  // let the last acknowledgement arrive
  view.eval_js_sync("clearInterval(window.ackTimer); true");
  std::vector<double> latency_ms;
  {
    std::lock_guard lock(acks_mutex);
    std::size_t next = 0;
    for (const auto& [seq, at] : acks) {
      for (; seq >= 0 && next <= static_cast<std::size_t>(seq) && next < sent.size(); ++next) {
        latency_ms.push_back(static_cast<double>(at - sent[next]) / 1e6);
      }
    }
  }
  return EmitRun{events / seconds, percentile(latency_ms, 99), refused};
}

// Arrival times of calls, recorded by the native handler.
// Arrival times of calls, in rounds: intervals are taken within a round only (the impls take turns
// round by round, so both see the same machine).
struct Arrivals {
  std::mutex mutex;
  std::vector<std::int64_t> at;
  std::vector<double> gaps;
  void record() {
    std::lock_guard lock(mutex);
    at.push_back(detail::now_ns());
  }
  void end_round() {
    std::lock_guard lock(mutex);
    for (std::size_t i = 1; i < at.size(); ++i) gaps.push_back(static_cast<double>(at[i] - at[i - 1]) / 1e3);
    at.clear();
  }
  double p50_interval_us() {
    std::lock_guard lock(mutex);
    return percentile(gaps, 50);
  }
};
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

// Page-side loop of sequential round trips. The page's clock is coarsened (performance.now() has
// millisecond steps in WebKit), so the native side times them: each call arrives one full round trip
// after the previous one.
constexpr const char* kSequentialCalls =
    "(async () => { for (let i = 0; i < CALLS; i++) await CALL(); return true; })()";



std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string sequential_calls(const std::string& call, int calls) {
  return replace_all(replace_all(kSequentialCalls, "CALLS", std::to_string(calls)), "CALL()", call);
}

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

}  // namespace

void run_js_call_burst(const Options& options, Report& report) {
  OwnedLoopThread main_loop;  // the DCC main thread, for dcc_mode
  for (const bool dcc_mode : {false, true}) {
    WebViewOptions view_options;
    view_options.dcc_mode = dcc_mode;
    view_options.main_dispatcher = main_loop.shared();
    WebView view(view_options);
    view.on("noop", [](const std::string&) { return std::string("null"); });
    view.load_html(kPage);
    wait_ready(view);
    burst_us_per_call(view, 1000, 1);  // warm-up: the page's code compiled, the engine's heaps grown
    for (const int calls : {1000, 20000}) {
      const int repeats = options.quick ? 3 : (calls == 1000 ? 15 : 5);
      add_web_row(report, Row{"js_call_burst", "calls_" + std::to_string(calls),
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
  view.load_html(kPage);
  wait_ready(view);

  // Throughput: a burst. Latency: a steady stream at 20x the naive rate (the target rate).
  const int events = options.quick ? 20000 : 100000;
  const int naive_events = options.quick ? 2000 : 10000;
  const auto emit_tick = [&](int i) { return view.emit("tick", std::to_string(i)).ok(); };
  const auto evaluate_tick = [&](int i) {
    view.eval_js("window.onTick(" + std::to_string(i) + ")");
    return true;
  };
  const EmitRun burst = run_emits(view, events, 0, emit_tick);
  const EmitRun naive = run_emits(view, naive_events, 0, evaluate_tick);
  const double target_rate = 20 * naive.events_per_s;
  const EmitRun paced = run_emits(view, static_cast<int>(target_rate * (options.quick ? 0.5 : 1.0)),
                                  target_rate, emit_tick);
  add_web_row(report, Row{"emit_throughput", "dccview",
                 {{"events_per_s", burst.events_per_s},
                  {"p99_latency_ms", paced.p99_latency_ms},
                  {"paced_rate", target_rate},
                  {"burst_p99_latency_ms", burst.p99_latency_ms},
                  {"refused", static_cast<double>(burst.refused + paced.refused)}}});
  add_web_row(report, Row{"emit_throughput", "naive_evaluate",
                 {{"events_per_s", naive.events_per_s}, {"p99_latency_ms", naive.p99_latency_ms}}});

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
  add_web_row(report, Row{"js_call_roundtrip", "dccview", {{"p50_us", arrivals.p50_interval_us()}}});
  add_web_row(report, Row{"js_call_roundtrip", "raw_message", {{"p50_us", g_raw_arrivals.p50_interval_us()}}});

  const int total = options.quick ? 2000 : 10000;
  const std::string sequential = "(async () => { const t0 = performance.now(); for (let i = 0; i < " +
                                 std::to_string(total) +
                                 "; i++) await dccview.call('noop'); return " + std::to_string(total) +
                                 " / ((performance.now() - t0) / 1000); })()";
  const std::string concurrent = "(async () => { const t0 = performance.now(); for (let i = 0; i < " +
                                 std::to_string(total / 64) +
                                 "; i++) await Promise.all(Array.from({length: 64}, () => dccview.call('noop'))); return " +
                                 std::to_string(total / 64 * 64) + " / ((performance.now() - t0) / 1000); })()";
  add_web_row(report, Row{"js_call_concurrent", "sequential", {{"calls_per_s", std::stod(eval(sequential))}}});
  add_web_row(report, Row{"js_call_concurrent", "in_flight_64", {{"calls_per_s", std::stod(eval(concurrent))}}});
}

}  // namespace dccview::bench
