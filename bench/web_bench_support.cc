#include "web_bench_support.h"

#include <chrono>

namespace dccview::bench {

using namespace std::chrono_literals;

const char* const kTickPage = R"html(<!doctype html><html><body><script>
  window.received = 0;
  window.lastSeq = -1;
  dccview.on("tick", (batchSeq) => { window.received++; window.lastSeq = batchSeq; });
  window.onTick = (seq) => { window.received++; window.lastSeq = seq; };
  window.__loaded = true;
</script></body></html>)html";

void add_web_row(Report& report, const char* backend, Row row) {
  row.backend = backend;
  report.add(std::move(row));
}

void wait_ready(WebView& view) {
  for (int i = 0; i < 400; ++i) {
    auto r = view.eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
    if (r.ok() && r.value() == "true") return;
    std::this_thread::sleep_for(25ms);
  }
}

long long as_count(const Result<std::string>& r) { return r.ok() ? std::stoll(r.value()) : -1; }

EmitRun run_emits(WebView& view, int events, double pace_per_s, const std::function<bool(int)>& emit) {
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

void run_emit_throughput(const Options& options, WebView& view, Report& report, const char* backend) {
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
  const EmitRun paced = run_emits(view, static_cast<int>(target_rate * (options.quick ? 0.5 : 1.0)), target_rate,
                                  emit_tick);
  add_web_row(report, backend, Row{"emit_throughput", "dccview",
                                   {{"events_per_s", burst.events_per_s},
                                    {"p99_latency_ms", paced.p99_latency_ms},
                                    {"paced_rate", target_rate},
                                    {"burst_p99_latency_ms", burst.p99_latency_ms},
                                    {"refused", static_cast<double>(burst.refused + paced.refused)}}});
  add_web_row(report, backend, Row{"emit_throughput", "naive_evaluate",
                                   {{"events_per_s", naive.events_per_s}, {"p99_latency_ms", naive.p99_latency_ms}}});
}

void Arrivals::record() {
  std::lock_guard lock(mutex);
  at.push_back(detail::now_ns());
}

void Arrivals::end_round() {
  std::lock_guard lock(mutex);
  for (std::size_t i = 1; i < at.size(); ++i) gaps.push_back(static_cast<double>(at[i] - at[i - 1]) / 1e3);
  at.clear();
}

double Arrivals::p50_interval_us() {
  std::lock_guard lock(mutex);
  return percentile(gaps, 50);
}

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::string sequential_calls(const std::string& call, int calls) {
  // The page's clock is coarsened (performance.now() has millisecond steps in WebKit), so the native
  // side times round trips: each call arrives one full round trip after the previous one.
  return replace_all(replace_all("(async () => { for (let i = 0; i < CALLS; i++) await CALL(); return true; })()",
                                 "CALLS", std::to_string(calls)),
                     "CALL()", call);
}

std::string sequential_rate_script(int total) {
  return "(async () => { const t0 = performance.now(); for (let i = 0; i < " + std::to_string(total) +
         "; i++) await dccview.call('noop'); return " + std::to_string(total) +
         " / ((performance.now() - t0) / 1000); })()";
}

std::string concurrent_rate_script(int total) {
  return "(async () => { const t0 = performance.now(); for (let i = 0; i < " + std::to_string(total / 64) +
         "; i++) await Promise.all(Array.from({length: 64}, () => dccview.call('noop'))); return " +
         std::to_string(total / 64 * 64) + " / ((performance.now() - t0) / 1000); })()";
}

}  // namespace dccview::bench
