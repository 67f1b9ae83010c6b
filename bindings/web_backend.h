// web_backend.h: web engine backends written in Python (the Qt WebEngine backend, which must use the
// host's own Qt binding: dccview._core links no Qt), driven by the shared native WebView core.
//
// The Python backend object is duck-typed (python/dccview/_web_backends/qtwebengine.py is the
// reference); every method below is called on the GUI thread with the GIL held:
//   load_html(html, base_url), load_url(url), reload(), current_url() -> str,
//   evaluate(script, done | None), send(doc, messages_json, ack) -> bool  (a delivery as a message of
//   its own; ack: 0, or the number the page echoes: BackendEvents.delivered(ack); False: no page any
//   more, the delivery counts as handled),
//   evaluate_async(script, reply, timeout_s)   reply(result_json | None, (name, message, stack) | None)
//   document_ready()   the current document's bridge said hello (scripts held back while the view
//                      navigated may run now),
//   show(), hide(), set_title(title), set_size(width, height), native_handle() -> int,
//   show_inspector() -> bool, save_png(path, done)   done(error_message | None),
//   destroy()                                   the view is closing: release the engine's objects.
// `done` and `reply` are native callables; each answers once (later calls do nothing), and one that
// is dropped unanswered answers for itself (ShutdownError for an evaluation).
// Exceptions from these methods are reported through sys.unraisablehook and the operation counts as
// done; the view goes on.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

#include "dccview/webview.h"

namespace dccview::python {

// Registers dccview._core.BackendEvents (what a Python backend reports to the core).
void bind_web_backend(nanobind::module_& module);

// A WebView whose engine is the Python backend that `factory(events, bridge_token)` returns, living
// on the thread `gui` serves. Blocks until the view exists.
std::unique_ptr<WebView> make_python_backed_webview(WebViewOptions options, std::shared_ptr<Dispatcher> gui,
                                                    nanobind::handle factory);

}  // namespace dccview::python
