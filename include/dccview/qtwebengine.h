// dccview/qtwebengine.h: WebViews on Qt WebEngine (target dccview::qtwebengine, built when Qt 5.15's
// or Qt 6's WebEngineWidgets is found). The view is a QWebEngineView, an ordinary widget of the
// application's own Qt; every dccview::WebView guarantee holds as for WebKitGTK views (the same core).
//
// Threads. Views live on the Qt GUI thread. `gui` is that thread's Dispatcher, with a QtLoop installed
// there (the host's loop serves it); every WebView method stays callable from any thread and is
// marshaled there. eval_js_sync on the GUI thread fails at once with kDeadlock.
//
// The application must have loaded Qt WebEngine before creating its QApplication (Qt 5:
// QtWebEngine::initialize() or QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts)). Running
// as root needs QTWEBENGINE_DISABLE_SANDBOX=1 (Chromium refuses its sandbox then).
//
// No Qt header here: widgets cross as void* (a QWidget*).
#pragma once

#include <memory>

#include "dccview/webview.h"

namespace dccview::qtwebengine {

struct View {
  std::unique_ptr<WebView> view;
  // The QWebEngineView (a QWidget*) to put in a layout or dock: GUI thread only; valid until the view
  // closes (dccview deletes it then), or until its parent deletes it (the view then closes).
  void* widget = nullptr;
};

// Creates a view as a child of `parent_widget` (a QWidget*, or nullptr for a top-level window) and
// waits until it exists. Throws std::invalid_argument for inconsistent options, std::runtime_error
// when no QApplication runs. Any thread; blocks until the GUI thread has created the view.
View create_view(WebViewOptions options, const std::shared_ptr<Dispatcher>& gui, void* parent_widget = nullptr);

}  // namespace dccview::qtwebengine
