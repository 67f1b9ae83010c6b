// web_backend.h: web engine backends written in Python (the Qt WebEngine backend, which must use the
// host's own Qt binding: dccview._core links no Qt), driven by the shared native WebView core.
//
// The Python backend object is duck-typed (python/dccview/_web_backends/qtwebengine.py is the
// reference); it is the engine of a webview_detail::ChannelBackend (src/webview/channel_backend.h),
// which holds scripts back while the view navigates and answers every evaluation (outcome, timeout,
// navigation, lost process, shutdown), as for the C++ Qt WebEngine backend. Every method below is
// called on the GUI thread with the GIL held:
//   load_html(html, base_url), load_url(url), reload(), current_url() -> str,
//   run(script, done | None)   runs the script in the page's world now; done() once it ran,
//   send(doc, messages_json, ack) -> bool  (a delivery as a message of its own; ack: 0, or the number
//   the page echoes: BackendEvents.delivered(ack); False: no page any more, the delivery counts as
//   handled),
//   arm_expiry(delay_s)   (re)arms the one evaluation timer: BackendEvents.expire_evaluations() after
//                         delay_s, replacing the previous arming,
//   show(), hide(), set_title(title), set_size(width, height), native_handle() -> int,
//   show_inspector() -> bool, save_png(path, done)   done(error_message | None),
//   destroy()                                   the view is closing: release the engine's objects.
// It reports through BackendEvents: page_message(text), evaluation_result(text), delivered(ack),
// load_started(), load_finished(), expire_evaluations(), web_process_terminated(reason), view_lost(),
// close_requested().
// `done` is a native callable; it answers once (later calls do nothing), and one that is dropped
// unanswered answers for itself.
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
std::unique_ptr<WebView> make_python_backed_webview(WebViewOptions options,
                                                    const std::shared_ptr<Dispatcher>& gui,
                                                    nanobind::handle factory);

}  // namespace dccview::python
