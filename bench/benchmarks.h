// The benchmarks run by dccview_bench. Each adds its rows to the report.
#pragma once

#include "report.h"

namespace dccview::bench {

// Worker -> loop thread -> worker, a no-op, one call at a time: p50_us, p99_us.
void run_sync_call_roundtrip(const Options& options, Report& report);
// Closures from 1, 2, 4 producers to one consumer: msgs_per_s.
void run_post_throughput(const Options& options, Report& report);
// An owned loop with nothing to do: cpu_percent of its thread.
void run_idle_cpu(const Options& options, Report& report);
// Uncontended lock + unlock: std::mutex vs CheckedMutex (checker off, report): ns.
void run_lock_pair(const Options& options, Report& report);
// WebView in a real page: emit_throughput, js_call_roundtrip, js_call_concurrent.
void run_webview(const Options& options, Report& report);
// N page calls made in one page task (WebKitGTK): us_per_call for N = 1,000 and 20,000, dcc_mode 0/1.
void run_js_call_burst(const Options& options, Report& report);
// Constructor to a page that can call native code, dccview vs a bare WebKitWebView: p50_ms.
void run_panel_open(const Options& options, Report& report);

}  // namespace dccview::bench
