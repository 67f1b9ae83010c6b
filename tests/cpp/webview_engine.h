// What the shared WebView suite (webview_suite_*.cc) needs from the engine under test. Each test binary
// links one implementation: webview_test.cc (WebKitGTK) or qtwebengine_test.cc (Qt WebEngine).
#pragma once

#include <memory>
#include <string>

#include "dccview/webview.h"

namespace dccview::test_engine {

// "webkitgtk" or "qtwebengine".
const char* name();
// A view on this engine (any thread; Qt WebEngine views live on the binary's Qt GUI thread).
std::unique_ptr<WebView> make_view(WebViewOptions options);
// Kills the renderer processes of this test process's pages; returns how many it killed.
int kill_renderers();
// A page-world expression for the engine's way to native code (typeof it must be "undefined": only
// the bridge's privileged world has it).
const char* native_channel_from_page();
// A statement posting `message` (a script expression) straight to the engine's native channel.
std::string native_channel_post(const std::string& message);

}  // namespace dccview::test_engine
