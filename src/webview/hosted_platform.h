// src/webview/hosted_platform.h: a Platform for web engines that live on a thread the host already
// runs (internal). Qt WebEngine views live on the Qt GUI thread, the host's main thread, whose loop
// is the host's own: dccview does not start a thread or install a loop there, it posts to the
// dispatcher that serves that thread (the Qt dispatcher backend in Python, a QtLoop in C++).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "webview/backend.h"

namespace dccview::webview_detail {

using BackendFactory = std::function<std::unique_ptr<Backend>(
    const WebViewOptions& options, BackendEvents& events, const std::string& bridge_token)>;

// Views live on the thread `gui` serves, whatever the options' thread mode (the caller checks the
// mode); each view's own queue is pumped by tasks posted to `gui`. `factory` runs on that thread.
// Thread-safe.
Platform hosted_platform(const std::shared_ptr<Dispatcher>& gui, BackendFactory factory);

// A WebView on `platform` instead of the build's default one (the Python Qt WebEngine backend, the
// C++ qtwebengine target, tests). Same contract as the WebView constructor.
std::unique_ptr<WebView> make_webview(WebViewOptions options, const Platform& platform);

}  // namespace dccview::webview_detail
