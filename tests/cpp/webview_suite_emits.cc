// The shared WebView suite (every engine runs it: WebKitGTK in dccview_webview_tests, Qt WebEngine in
// dccview_qtwebengine_tests; engine-only tests live in webview_test.cc and qtwebengine_test.cc):
// emits: completeness, order per thread (also against evaluations), flush latency, encoding.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

TEST_F(WebViewTest, EmitsFromFourThreadsArriveCompleteAndInOrderPerThread) {
  open(false);
  load_page();
  constexpr int kThreads = 4, kEach = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(view_->emit("tick", "[" + std::to_string(t) + "," + std::to_string(i) + "]").ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(testing::eventually([&] { return eval("window.received.length") == "40000"; }, 20s))
      << eval("window.received.length");
  const std::string ordered = eval(R"js((() => {
    const next = [0, 0, 0, 0];
    for (const [t, i] of window.received) { if (next[t] !== i) return false; next[t]++; }
    return next.every((n) => n === 10000);
  })())js");
  EXPECT_EQ(ordered, "true");
}

// Per-thread order across emits and operations: each thread alternates emit and eval_js, both
// recording (thread, index) in the page. An operation may take another thread's waiting emit and be
// overtaken in the queue by that thread's next operation; the emit must still arrive first.
TEST_F(WebViewTest, EmitsAndEvaluationsFromFourThreadsArriveInOrderPerThread) {
  open(false);
  load_page();
  constexpr int kThreads = 4, kEach = 4000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string pair = "[" + std::to_string(t) + "," + std::to_string(i) + "]";
        if (i % 2 == 0) {
          ASSERT_TRUE(view_->emit("tick", pair).ok());
        } else {
          view_->eval_js("window.received.push(" + pair + ")");
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(testing::eventually([&] { return eval("window.received.length") == "16000"; }, 30s))
      << eval("window.received.length");
  const std::string ordered = eval(R"js((() => {
    const next = [0, 0, 0, 0];
    for (const [t, i] of window.received) { if (next[t] !== i) return `thread ${t}: ${i} came when ${next[t]} was due`; next[t]++; }
    return "in order";
  })())js");
  EXPECT_EQ(ordered, "\"in order\"");
}

// The flush bound: a steady stream of emits is delivered in many small batches, not held back to
// coalesce, even while page calls keep the WebView thread busy (their handlers run there). The page
// counts batches (the events of one batch arrive in one task). Over one second a flush at least
// every 16 ms makes 62 batches; the check asks for half that, the slack for a loaded machine.
TEST_F(WebViewTest, ASteadyEmitStreamIsFlushedAtLeastEverySixteenMillisecondsUnderLoad) {
  open(false);
  view_->on("busy", [](const std::string&) {
    const auto until = std::chrono::steady_clock::now() + 2ms;  // handler work on the WebView thread
    while (std::chrono::steady_clock::now() < until) {}
    return std::string("1");
  });
  load_page();
  ASSERT_EQ(eval(R"js((() => {
    window.batches = 0;
    let counted = false;
    dccview.on("stream", () => {
      if (counted) return;
      counted = true;
      queueMicrotask(() => { window.batches++; counted = false; });
    });
    return true;
  })())js"), "true");
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {  // callers keeping the WebView thread busy
    threads.emplace_back([&] {
      while (!stop) view_->eval_js_sync("Promise.all([1, 2, 3, 4].map(() => dccview.call('busy')))", 10s);
    });
  }
  for (int t = 0; t < 4; ++t) {  // emitters: one event per thread every 0.5 ms
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        ASSERT_TRUE(view_->emit("stream", std::to_string(t)).ok());
        std::this_thread::sleep_for(500us);
      }
    });
  }
  std::this_thread::sleep_for(200ms);  // let the load build up
  const int before = std::stoi(eval("window.batches"));
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(1s);
  const int batches = std::stoi(eval("window.batches")) - before;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stop = true;
  for (auto& thread : threads) thread.join();
  std::printf("flush bound: %d batches in %.2f s\n", batches, seconds);
  EXPECT_GE(batches, static_cast<int>(seconds * 1000 / 16 / 2))
      << batches << " batches in " << seconds << " s: emits were held back longer than 16 ms";
}

TEST_F(WebViewTest, EmitEncodesHostileNamesAndPayloadsAndRefusesInvalidJson) {
  open(false);
  load_page();
  eval("window.hostile = []; dccview.on(\"</script>'\\u2028\", (d) => window.hostile.push(d)); true");
  ASSERT_TRUE(view_->emit("</script>'\u2028", "{\"s\":\"\\u2029 \\\"quoted\\\" </script>\"}").ok());
  EXPECT_TRUE(testing::eventually([&] { return eval("window.hostile.length") == "1"; }));
  EXPECT_EQ(eval("window.hostile[0].s"), "\"\\u2029 \\\"quoted\\\" </script>\"");
  EXPECT_EQ(view_->emit("tick", "not json").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(view_->emit("tick", "1); alert(1").code(), ErrorCode::kInvalidArgument);
}

// Emits are batched, evaluations are not: an operation issued after an emit on the same thread still
// reaches the page after it.
TEST_F(WebViewTest, AnEvaluationAfterAnEmitOnTheSameThreadSeesTheEmit) {
  open(false);
  load_page();
  auto proxy = view_->get_proxy();
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(proxy.emit("tick", std::to_string(i)).ok());
    ASSERT_TRUE(proxy.eval_js("window.received.push('after " + std::to_string(i) + "')").ok());
  }
  std::string expected = "[";
  for (int i = 0; i < 200; ++i) expected += (i ? "," : "") + std::to_string(i) + ",\"after " + std::to_string(i) + "\"";
  expected += "]";
  EXPECT_EQ(eval("window.received"), expected);
}

}  // namespace
}  // namespace dccview
