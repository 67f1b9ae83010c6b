// webview.h: the native WebView and its proxy as dccview._core.WebView / WebViewProxy.
#pragma once

#include <nanobind/nanobind.h>

namespace dccview::python {

void bind_webview(nanobind::module_& module);

}  // namespace dccview::python
