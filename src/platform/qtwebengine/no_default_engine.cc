// Built when Qt WebEngine is the only web engine (no WebKitGTK): WebView's constructor has no default
// platform to create a view on, and says how to make one instead.
#include <stdexcept>

#include "dccview/webview.h"

namespace dccview {

WebView::WebView(WebViewOptions) {
  throw std::runtime_error("dccview: this build's only web engine is Qt WebEngine: create views with "
                           "dccview::qtwebengine::create_view (dccview/qtwebengine.h)");
}

}  // namespace dccview
