// The WebView suite every engine runs (WebKitGTK: dccview_webview_tests; Qt WebEngine:
// dccview_qtwebengine_tests): the shared core's guarantees (answers, dcc_mode, evaluation, ordering,
// close, bad input, the origin policy, crash recovery) held on each engine. Engine-only tests live in
// webview_test.cc and qtwebengine_test.cc.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

TEST_F(WebViewTest, PageCallResolvesWithTheHandlersReturnValue) {
  open(false);
  view_->on("add", [](const std::string& params) {
    EXPECT_EQ(params, "{\"a\":2,\"b\":3}");
    return std::string("5");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('add', {a: 2, b: 3})"), "5");
}

TEST_F(WebViewTest, HandlersRunOnTheWebViewThreadWithoutDccMode) {
  open(false);
  std::atomic<bool> on_main{true};
  view_->on("where", [&](const std::string&) {
    on_main = main_->is_main_thread();
    return std::string("null");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('where')"), "null");
  EXPECT_FALSE(on_main.load());
}

TEST_F(WebViewTest, HandlersRunOnTheMainThreadInDccModeForCallsAndEvents) {
  open(true);
  std::atomic<int> calls_on_main{0}, events_on_main{0};
  view_->on("create", [&](const std::string&) {
    if (main_->is_main_thread()) calls_on_main++;
    return std::string("\"cube1\"");
  });
  view_->on("progress", [&](const std::string&) {
    if (main_->is_main_thread()) events_on_main++;
    return std::string("null");
  });
  load_page();
  EXPECT_EQ(eval("dccview.call('create')"), "\"cube1\"");
  eval("dccview.emit('progress', 1), true");
  EXPECT_TRUE(testing::eventually([&] { return events_on_main.load() == 1; }));
  EXPECT_EQ(calls_on_main.load(), 1);
}

TEST_F(WebViewTest, UnknownMethodIsRejectedAtOnceWithNotFoundError) {
  open(false);
  load_page();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(eval("dccview.call('missing').catch((e) => e.name + '/' + e.code)"),
            "\"NotFoundError/NotFoundError\"");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(WebViewTest, HandlerExceptionRejectsWithHandlerErrorCarryingTypeAndMessage) {
  open(false);
  view_->on("fail", [](const std::string&) -> std::string { throw std::out_of_range("row 12"); });
  load_page();
  const std::string got = eval("dccview.call('fail').catch((e) => [e.name, e.message, e.type])");
  EXPECT_EQ(got, "[\"HandlerError\",\"row 12\",\"std::out_of_range\"]");
}

TEST_F(WebViewTest, EvalJsAsyncAwaitsPromisesAndReportsThrows) {
  open(false);
  load_page();
  struct Outcome {
    testing::Gate done;
    std::optional<std::string> value;
    std::optional<JsError> error;
  };
  auto ok = std::make_shared<Outcome>(), bad = std::make_shared<Outcome>();
  view_->eval_js_async("new Promise((r) => setTimeout(() => r({n: 7}), 20))",
                       [ok](auto value, auto error) {
                         ok->value = value;
                         ok->error = error;
                         ok->done.open();
                       });
  view_->eval_js_async("(async () => { throw new RangeError('too far'); })()",
                       [bad](auto value, auto error) {
                         bad->value = value;
                         bad->error = error;
                         bad->done.open();
                       });
  ASSERT_TRUE(ok->done.wait());
  ASSERT_TRUE(bad->done.wait());
  EXPECT_EQ(ok->value.value_or("none"), "{\"n\":7}");
  ASSERT_TRUE(bad->error.has_value());
  EXPECT_EQ(bad->error->name, "RangeError");
  EXPECT_EQ(bad->error->message, "too far");
  EXPECT_FALSE(bad->error->stack.empty());
}

// Engines that answer evaluations through the bridge time them out with one timer for all
// (webview/channel_backend.h): a short timeout given after a long one must not wait for the long one,
// one answered early must not take a later one's timeout with it, and a timeout past what a timer can
// wait must not fire at once.
TEST_F(WebViewTest, EachEvaluationTimesOutAtItsOwnDeadline) {
  open(false);
  load_page();
  struct Outcome {
    testing::Gate done;
    std::optional<JsError> error;
    std::chrono::steady_clock::time_point at;
  };
  auto track = [](const std::shared_ptr<Outcome>& outcome) {
    return [outcome](std::optional<std::string>, std::optional<JsError> error) {
      outcome->error = std::move(error);
      outcome->at = std::chrono::steady_clock::now();
      outcome->done.open();
    };
  };
  auto forever = std::make_shared<Outcome>(), patient = std::make_shared<Outcome>();
  auto quick = std::make_shared<Outcome>(), answered = std::make_shared<Outcome>(), later = std::make_shared<Outcome>();
  const auto start = std::chrono::steady_clock::now();
  view_->eval_js_async("new Promise(() => {})", track(forever), std::chrono::milliseconds(std::int64_t{1} << 40));
  view_->eval_js_async("new Promise(() => {})", track(patient), 60s);
  view_->eval_js_async("new Promise((r) => setTimeout(r, 5))", track(answered), 100ms);
  view_->eval_js_async("new Promise(() => {})", track(quick), 300ms);
  view_->eval_js_async("new Promise(() => {})", track(later), 600ms);
  ASSERT_TRUE(quick->done.wait(10s));
  ASSERT_TRUE(later->done.wait(10s));
  ASSERT_TRUE(answered->done.wait(10s));
  EXPECT_FALSE(answered->error.has_value()) << answered->error->name;
  ASSERT_TRUE(quick->error.has_value());
  EXPECT_EQ(quick->error->name, "TimeoutError");
  ASSERT_TRUE(later->error.has_value());
  EXPECT_EQ(later->error->name, "TimeoutError");
  // Each at its own deadline (slack for a loaded machine, never before it), in deadline order.
  EXPECT_GE(quick->at - start, 300ms);
  EXPECT_LT(quick->at - start, 5s);
  EXPECT_GE(later->at - start, 600ms);
  EXPECT_LE(quick->at, later->at);
  EXPECT_FALSE(forever->done.is_open()) << "a 2^40 ms timeout fired: " << forever->error->name;
  EXPECT_FALSE(patient->done.is_open()) << "a 60 s timeout fired early: " << patient->error->name;
}

TEST_F(WebViewTest, EvalJsSyncWorksFromMainAndWorkersAndFailsFastOnTheWebViewThread) {
  open(false);
  ErrorCode on_webview_thread = ErrorCode::kOk;
  std::chrono::steady_clock::duration webview_thread_took{};
  view_->on("nested", [&](const std::string&) {
    const auto t0 = std::chrono::steady_clock::now();
    on_webview_thread = view_->eval_js_sync("1", 10s).code();
    webview_thread_took = std::chrono::steady_clock::now() - t0;
    return std::string("null");
  });
  load_page();
  auto from_main = main_->call([&] { return view_->eval_js_sync("6 * 7").value(); }, 20s);
  EXPECT_EQ(from_main, "42");
  std::string from_worker;
  std::thread worker([&] { from_worker = view_->eval_js_sync("'w' + 1").value(); });
  worker.join();
  EXPECT_EQ(from_worker, "\"w1\"");
  eval("dccview.call('nested')");
  EXPECT_EQ(on_webview_thread, ErrorCode::kDeadlock);
  EXPECT_LT(webview_thread_took, 1s) << "fails at once, never by waiting out the timeout";
}

// The RFC's pattern 3 with a real WebView: the main thread waits for a script that awaits a handler
// that must run on the main thread.
TEST_F(WebViewTest, EvalJsSyncFromTheMainThreadCompletesWhenTheScriptNeedsTheMainThread) {
  open(true);
  view_->on("scene_info", [&](const std::string&) {
    return std::string(main_->is_main_thread() ? "{\"objects\":3}" : "{\"objects\":-1}");
  });
  load_page();
  const auto t0 = std::chrono::steady_clock::now();
  auto info = main_->call([&] { return view_->eval_js_sync("dccview.call('scene_info')", 10s).value(); }, 20s);
  EXPECT_EQ(info, "{\"objects\":3}");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(WebViewTest, EvalJsSyncTimesOutWithTheScriptInTheMessage) {
  open(false);
  load_page();
  auto r = view_->eval_js_sync("new Promise(() => {})", 200ms);
  ASSERT_EQ(r.code(), ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("new Promise(() => {})"), std::string::npos) << r.error().message;
  EXPECT_THROW(r.value(), ThreadDispatchTimeoutError);
  auto js = view_->eval_js_sync("(function thrower() { throw new RangeError('too far'); })()", 5s);
  ASSERT_EQ(js.code(), ErrorCode::kJavaScript);
  EXPECT_EQ(js.error().message, "RangeError: too far");
  try {
    (void)js.value();
    ADD_FAILURE() << "no exception";
  } catch (const JavaScriptError& e) {  // the page's own name, message and stack
    EXPECT_EQ(e.name(), "RangeError");
    EXPECT_EQ(e.message(), "too far");
    EXPECT_NE(e.stack().find("thrower"), std::string::npos) << e.stack();
  }
}

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

TEST_F(WebViewTest, ProxyWorksFromManyThreadsAndReportsShutdownAfterClose) {
  open(false);
  load_page();
  WebViewProxy proxy = view_->get_proxy();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (proxy.emit("tick", std::to_string(t)).ok()) ok++;
      }
      if (proxy.eval_js_sync("1 + 1", 10s).value() == "2") ok++;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8 * 51);
  view_->close();
  EXPECT_EQ(proxy.emit("tick", "1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.eval_js("1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.eval_js_sync("1").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.load_url("about:blank").code(), ErrorCode::kShutdown);
  EXPECT_EQ(proxy.close().code(), ErrorCode::kShutdown);
  view_.reset();
  EXPECT_EQ(proxy.reload().code(), ErrorCode::kShutdown) << "also once the WebView object is gone";
}

TEST_F(WebViewTest, CloseWhileEightThreadsEmitAndEvaluateNeitherCrashesNorHangs) {
  open(true);
  view_->on("work", [](const std::string&) { return std::string("1"); });
  load_page();
  WebViewProxy proxy = view_->get_proxy();
  std::atomic<bool> stop{false};
  std::atomic<int> shutdown_errors{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        auto r = t % 2 ? proxy.emit("tick", "1") : proxy.eval_js_sync("dccview.call('work')", 5s).ok()
                                                        ? Result<void>()
                                                        : Result<void>(proxy.eval_js_sync("1", 5s).error());
        if (r.code() == ErrorCode::kShutdown) {
          shutdown_errors++;
          return;
        }
        if (!r.ok()) other_errors++;
      }
    });
  }
  std::this_thread::sleep_for(100ms);  // let the load build up; the checks below do not depend on it
  const auto t0 = std::chrono::steady_clock::now();
  view_->close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  stop = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(other_errors.load(), 0);
}

// Each bad input gets a defined answer, and the valid traffic around it goes through untouched.
TEST_F(WebViewTest, BadInputFromThePageIsAnsweredAndNothingAroundItIsLost) {
  WebViewOptions small;
  main_ = std::make_shared<Dispatcher>();
  driver_.start(main_);
  small.max_payload_bytes = 1 << 20;
  view_ = test_engine::make_view(small);
  std::atomic<int> echoes{0};
  view_->on("echo", [&](const std::string& params) {
    echoes++;
    return params;
  });
  view_->on("hang", [](const std::string&) {
    std::this_thread::sleep_for(600ms);  // longer than the page's timeout below
    return std::string("null");
  });
  load_page();
  const auto name_of = [&](const std::string& call) {
    return eval(call + ".then(() => 'resolved', (e) => e.name)");
  };
  EXPECT_EQ(name_of("dccview.call('echo', 'x'.repeat(2 << 20))"), "\"PayloadTooLargeError\"");
  EXPECT_EQ(name_of("dccview.call('echo', '\\ud800 lone surrogate')"), "\"ProtocolError\"")
      << "JSON.stringify escapes a lone surrogate as \\ud800, which is not valid JSON text";
  EXPECT_EQ(name_of("dccview.call('hang', null, {timeout: 200})"), "\"TimeoutError\"");
  // Raw messages that bypass the page's half of the bridge (the page cannot even build 100k-deep
  // nesting through JSON.stringify): 100k-deep nesting, malformed JSON, wrong types, unknown type,
  // not a string. They reach native code through the privileged half, as the page's own.
  testing::LogCapture capture;
  eval("const send = (m) => document.dispatchEvent(new CustomEvent('dccview:to-native', {detail: m}));"
       "send('{\"type\":\"call\",\"id\":7,\"method\":\"echo\",\"params\":' + "
       "'['.repeat(100000) + ']'.repeat(100000) + '}');"
       "send('{not json'); send(JSON.stringify({type: 'call', id: 'x', method: 5}));"
       "send(JSON.stringify({type: 'teleport', id: 99})); send(42); true");
  EXPECT_EQ(eval("dccview.call('echo', {still: 'works'})"), "{\"still\":\"works\"}");
  EXPECT_EQ(echoes.load(), 1) << "only the valid call reached the handler";
  EXPECT_TRUE(capture.contains("nested deeper than 512 levels"));
  EXPECT_TRUE(capture.contains("unknown message type 'teleport'"));
  // The page's script world has no way to post to native code by itself.
  EXPECT_EQ(eval(std::string("typeof (") + test_engine::native_channel_from_page() + ")"), "\"undefined\"");
}

TEST_F(WebViewTest, PagesOfOriginsOutsideTheAllowListAreRefusedWithOriginError) {
  main_ = std::make_shared<Dispatcher>();
  driver_.start(main_);
  WebViewOptions options;
  options.allowed_origins = {"https://app.example"};
  view_ = test_engine::make_view(options);
  std::atomic<int> calls{0};
  view_->on("secret", [&](const std::string&) {
    calls++;
    return std::string("42");
  });
  testing::LogCapture capture;
  view_->load_html(kPage, "https://app.example/tool/");
  ASSERT_TRUE(testing::eventually([&] { return eval("location.origin") == "\"https://app.example\""; }));
  EXPECT_EQ(eval("dccview.call('secret')"), "42");
  view_->load_html(kPage, "https://elsewhere.example/");
  ASSERT_TRUE(testing::eventually([&] { return eval("location.origin") == "\"https://elsewhere.example\""; }));
  EXPECT_EQ(eval("dccview.call('secret').then(() => 'resolved', (e) => e.name)"), "\"OriginError\"");
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(capture.contains("origin https://elsewhere.example"));
}

TEST_F(WebViewTest, ByDefaultOnlyWhatTheApplicationLoadedMayCall) {
  open(false);
  std::atomic<int> calls{0};
  view_->on("secret", [&](const std::string&) {
    calls++;
    return std::string("1");
  });
  view_->load_html(kPage, "https://tool.example/");
  ASSERT_TRUE(testing::eventually([&] { return eval("location.origin") == "\"https://tool.example\""; }));
  EXPECT_EQ(eval("dccview.call('secret')"), "1");
  EXPECT_EQ(calls.load(), 1);
}

// Only the top document reaches native code, through the bridge's privileged half (in a script
// world of its own). A frame of another origin finds no message handler and cannot touch the top
// document: nothing it tries reaches a handler. tests/python/test_bridge_security.py replays the
// full attacks against real origins.
TEST_F(WebViewTest, FramesOfOtherOriginsCannotReachNativeCode) {
  open(false);
  std::atomic<int> calls{0};
  view_->on("secret", [&](const std::string&) {
    calls++;
    return std::string("1");
  });
  load_page();
  const std::string frame_script =
      "const call = JSON.stringify({type: 'call', id: 1, method: 'secret', params: null});"
      "const tried = [];"
      "const attempt = (name, f) => { try { f(); tried.push(name + ':sent'); }"
      "                               catch (e) { tried.push(name + ':' + e.name); } };"
      "attempt('handler', () => " + std::string(test_engine::native_channel_post("call")) + ");"
      "attempt('top-document', () => top.document.dispatchEvent("
      "    new CustomEvent('dccview:to-native', {detail: call})));"
      "attempt('top-post', () => top.postMessage(call, '*'));"
      "parent.postMessage({report: tried.join(',')}, '*');";
  eval("window.addEventListener('message', (e) => { if (e.data && e.data.report) window.frameReport = e.data.report; });"
       "const f = document.createElement('iframe'); f.sandbox = 'allow-scripts';"
       "f.srcdoc = '<script>' + " + protocol::quote(frame_script) + " + '</script>';"
       "document.body.appendChild(f); true");
  ASSERT_TRUE(testing::eventually([&] { return eval("window.frameReport || ''") != "\"\""; }, 10s));
  EXPECT_EQ(eval("window.frameReport"), "\"handler:TypeError,top-document:SecurityError,top-post:sent\"");
  EXPECT_EQ(eval("dccview.call('secret')"), "1") << "ordered after the frame's attempts";
  EXPECT_EQ(calls.load(), 1) << "only the top document's call ran";
}

TEST_F(WebViewTest, AKilledWebProcessFailsPendingWorkTellsNativeCodeAndReloadBringsThePageBack) {
  open(false);
  testing::Gate terminated;
  std::string reason;
  view_->on(kWebProcessTerminatedEvent, [&](const std::string& data) {
    reason = data;
    terminated.open();
    return std::string("null");
  });
  view_->on("ping", [](const std::string&) { return std::string("\"pong\""); });
  std::atomic<int> started{0};
  view_->on("started", [&](const std::string&) {
    started++;
    return std::string("null");
  });
  load_page();
  Result<std::string> pending = std::string();
  std::chrono::steady_clock::duration waited{};
  // Each evaluation tells native code it is running in the page before it waits forever.
  const std::string forever = "(dccview.emit('started'), new Promise(() => {}))";
  std::thread waiter([&] {
    const auto t0 = std::chrono::steady_clock::now();
    pending = view_->eval_js_sync(forever, 30s);
    waited = std::chrono::steady_clock::now() - t0;
  });
  testing::Gate async_answered;
  std::optional<JsError> async_error;
  view_->eval_js_async(forever, [&](std::optional<std::string>, std::optional<JsError> error) {
    async_error = std::move(error);
    async_answered.open();
  }, 30s);
  ASSERT_TRUE(testing::eventually([&] { return started.load() == 2; })) << "both evaluations run in the page";
  ASSERT_GE(test_engine::kill_renderers(), 1);
  ASSERT_TRUE(terminated.wait(10s)) << "native code hears of it";
  waiter.join();
  ASSERT_FALSE(pending.ok()) << "the pending evaluation fails";
  EXPECT_EQ(pending.code(), ErrorCode::kWebProcess) << "a typed error, not a page error: " << pending.error().message;
  EXPECT_THROW(pending.value(), WebProcessError);
  EXPECT_LT(waited, 20s) << "instead of waiting out its timeout";
  ASSERT_TRUE(async_answered.wait(10s));
  ASSERT_TRUE(async_error.has_value());
  EXPECT_EQ(async_error->name, kWebProcessErrorName) << async_error->message;
  EXPECT_EQ(reason, "{\"reason\":\"crashed\"}");
  view_->reload();
  ASSERT_TRUE(testing::eventually([&] {
    auto r = view_->eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
    return r.ok() && r.value() == "true";
  }, 20s)) << "reload brings the page back";
  EXPECT_EQ(eval("dccview.call('ping')"), "\"pong\"");
}

// WebKit alone reloads content given as a string as an empty about:blank page, and would fetch a
// base URL from the network: reload() runs the same HTML again, with or without a base URL.
TEST_F(WebViewTest, ReloadRunsContentGivenAsAStringAgain) {
  open(false);
  for (const std::string base : {"", "https://tool.example/"}) {
    view_->eval_js("window.__previous_page = true");  // the new page is the one without it
    view_->load_html(kPage, base);
    ASSERT_TRUE(testing::eventually(
        [&] { return eval("!window.__previous_page && window.__loaded === true") == "true"; }));
    view_->eval_js("window.__before_reload = true");
    ASSERT_EQ(eval("window.__before_reload"), "true");
    view_->reload();
    ASSERT_TRUE(testing::eventually([&] {
      return eval("!window.__before_reload && window.__loaded === true && document.readyState") == "\"complete\"";
    }, 20s)) << "base URL '" << base << "': " << eval("location.href + ' ' + document.body.innerText");
    EXPECT_EQ(eval("document.querySelector('h1').textContent"), "\"dccview test page\"");
  }
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

// Calls and emits made in one page task travel as one batch; each still gets its own answer.
TEST_F(WebViewTest, ManyCallsInOneTaskEachGetTheirOwnAnswer) {
  open(true);
  std::atomic<int> emitted{0};
  view_->on("echo", [](const std::string& params) { return params; });
  view_->on("page_event", [&](const std::string&) {
    ++emitted;
    return std::string("null");
  });
  load_page();
  const std::string result = eval(
      "Promise.all(Array.from({length: 100}, (_, i) => i % 10 === 9"
      " ? dccview.call('missing').catch(e => e.name)"
      " : (dccview.emit('page_event', i), dccview.call('echo', i)))).then(r => r.join(','))");
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    expected += (i ? "," : "") + (i % 10 == 9 ? std::string("NotFoundError") : std::to_string(i));
  }
  EXPECT_EQ(result, "\"" + expected + "\"");
  EXPECT_TRUE(testing::eventually([&] { return emitted.load() == 90; }, 10s)) << emitted.load();
}

// A script given right after a load runs in the new page, on every engine (engines alone run it in
// whichever document they have then, and Qt WebEngine loses the answer of one run in the page being
// replaced). An evaluation still pending in the replaced page fails at once, not at its timeout.
TEST_F(WebViewTest, AnEvaluationGivenRightAfterALoadRunsInTheNewPage) {
  open(false);
  load_page();
  testing::Gate left_behind_answered;
  std::optional<JsError> left_behind;
  view_->eval_js_async("new Promise(() => {})", [&](std::optional<std::string>, std::optional<JsError> error) {
    left_behind = std::move(error);
    left_behind_answered.open();
  }, 60s);
  for (int i = 0; i < 6; ++i) {
    view_->load_html("<!doctype html><script>window.__page = " + std::to_string(i) + "</script>");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(eval("window.__page"), std::to_string(i)) << "load " << i;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "load " << i << ": waited for a lost answer";
  }
  ASSERT_TRUE(left_behind_answered.wait(10s)) << "the evaluation left in the first page waits out its 60 s";
  ASSERT_TRUE(left_behind.has_value());
  EXPECT_EQ(left_behind->name, "NavigationError") << left_behind->message;
}

}  // namespace
}  // namespace dccview
