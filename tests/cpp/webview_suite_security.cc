// The shared WebView suite (every engine runs it: WebKitGTK in dccview_webview_tests, Qt WebEngine in
// dccview_qtwebengine_tests; engine-only tests live in webview_test.cc and qtwebengine_test.cc):
// what the page may send: bad input, the origin policy, frames of other origins.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "webview/protocol.h"
#include "webview_fixture.h"

namespace dccview {
namespace {

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

}  // namespace
}  // namespace dccview
