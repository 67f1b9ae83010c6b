// What the WebView benchmarks share, whichever engine runs the page (webview_bench.cc: WebKitGTK,
// qtwebengine_bench.cc: Qt WebEngine): the test page, the emit runs, call arrival timing.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/wait.h"
#include "dccview/webview.h"
#include "report.h"

namespace dccview::bench {

// The page every WebView benchmark loads: a "tick" listener and its naive twin (window.onTick).
extern const char* const kTickPage;

// Adds `row` as measured on `backend` ("webkitgtk" or "qtwebengine").
void add_web_row(Report& report, const char* backend, Row row);

// Waits (bounded) until the page has loaded and its bridge is ready.
void wait_ready(WebView& view);

// The number an evaluation returned, or -1.
long long as_count(const Result<std::string>& r);

struct EmitRun {
  double events_per_s;
  double p99_latency_ms;
  int refused;  // emits refused (more than max_payload_bytes waiting for the page): not delivered
};

// Sends `events` through emit(i) (true: accepted) from a worker, as fast as possible (pace_per_s == 0)
// or paced at pace_per_s. The page acknowledges the latest sequence number every 5 ms, which gives
// each event's latency (emit -> listener, plus up to 5 ms of acknowledgement delay and the trip back).
EmitRun run_emits(WebView& view, int events, double pace_per_s, const std::function<bool(int)>& emit);

// emit_throughput rows for `view` (a ready page on kTickPage) on `backend`: a burst of emits against
// one eval_js per event (naive_evaluate), and the p99 latency of a steady stream at 20x the naive rate.
void run_emit_throughput(const Options& options, WebView& view, Report& report, const char* backend);

// Arrival times of calls, in rounds: intervals are taken within a round only (the impls take turns
// round by round, so both see the same machine).
struct Arrivals {
  std::mutex mutex;
  std::vector<std::int64_t> at;
  std::vector<double> gaps;
  void record();
  void end_round();
  double p50_interval_us();
};

// A page script: `calls` sequential awaits of `call` (an expression giving a Promise); resolves true.
std::string sequential_calls(const std::string& call, int calls);

// Page scripts giving calls per second: `total` calls one at a time, or 64 in flight at a time.
std::string sequential_rate_script(int total);
std::string concurrent_rate_script(int total);

}  // namespace dccview::bench
