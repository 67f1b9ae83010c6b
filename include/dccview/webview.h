// dccview/webview.h: a WebView whose every operation is safe from any thread (target dccview::webview).
//
// Offers
//   WebViewOptions   title, size, debug (inspector), dcc_mode, the main-thread Dispatcher, limits.
//   WebView          load_html/load_url/reload, eval_js, eval_js_async, eval_js_sync, emit, on,
//                    show/hide, native_handle, close, get_proxy.
//   WebViewProxy     a copyable handle usable from any thread; fails with kShutdown after close.
//   JsError          what a page-side failure looked like (name, message, stack).
//
// Threads. The WebView lives on the WebView thread (dedicated mode: one process-wide GTK thread that
// dccview starts; nothing here blocks the caller's thread). Every method below may be called from any
// thread; work is posted to the WebView thread in FIFO order per calling thread.
// Handlers (on()) run on the WebView thread, or, with dcc_mode, on the main thread through
// `main_dispatcher` (posted so the WebView thread never blocks; a main thread blocked in a
// synchronous wait on the WebView still runs them). Handlers never run under a dccview lock.
//
// Data crosses as JSON text: handler parameters and return values, emit payloads, evaluation
// results. dccview validates and re-encodes it (never splices it raw into a script).
//
// Lifetime: close() (or the destructor) stops accepting work, drains what was queued up to
// `close_timeout`, rejects the page's pending calls, then destroys the view on its thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dccview/config.h"
#include "dccview/errors.h"

namespace dccview {

class Dispatcher;

struct JsError {
  // "TypeError", ... (the page's), "TimeoutError", "ShutdownError", or kWebProcessErrorName when the
  // process running the page ended before it answered.
  std::string name;
  std::string message;
  std::string stack;
};

// A handler receives the page's params (or event payload) as JSON text and returns JSON text
// ("null" for nothing). A throw reaches the page as a HandlerError carrying the exception's type
// and message.
using Handler = std::function<std::string(const std::string& params_json)>;

// The event a handler registered with on() receives when the process running the page dies (crash,
// memory limit, killed): data {"reason": "crashed" | "exceeded_memory_limit" | "terminated_by_api"}.
// The page and its pending calls are gone; reload() brings the page back.
inline constexpr const char* kWebProcessTerminatedEvent = "dccview:web_process_terminated";

// The event a handler registered with on() receives once the view has closed, whatever closed it
// (close(), a proxy, the user closing the window): data {}. It runs on the WebView thread (also in
// dcc_mode), after the page's pending calls were rejected; the view accepts no more work by then.
inline constexpr const char* kClosedEvent = "dccview:closed";

// Receives the evaluation's result as JSON text, or the page-side error. Runs on the WebView thread.
using EvalCallback = std::function<void(std::optional<std::string> result_json, std::optional<JsError> error)>;

// Where the WebView lives.
//   kDedicated  on dccview's own WebView thread (GTK on a thread of its own): the host's main thread
//               stays free. Works when nothing else in the process runs the default GLib context
//               (plain C++ tools, Blender).
//   kHost       on the calling thread, which must be the host's main thread and run the default GLib
//               context (a GTK host, a Qt host on Qt's GLib dispatcher). Create the WebView there.
//   kAuto       kHost when the calling thread owns the default GLib context, kDedicated when nobody
//               (or dccview's own thread) does; otherwise the constructor refuses with a clear error,
//               since a second thread running GTK there would crash the process.
enum class ThreadMode { kAuto, kDedicated, kHost };

struct WebViewOptions {
  std::string title = "dccview";
  int width = 800;
  int height = 600;
  bool visible = true;
  bool debug = false;     // enables the WebKit inspector (context menu, show_inspector())
  bool dcc_mode = false;  // run every handler on the main thread (needs main_dispatcher)
  ThreadMode thread_mode = ThreadMode::kAuto;
  // A native window to dock into (X11 window id), or 0 for a top-level window. The view's window is
  // reparented into it at its top-left corner; resize it with set_size(). A host can also adopt the
  // view's window itself through native_handle() (Qt: QWindow::fromWinId + createWindowContainer).
  std::uint64_t parent = 0;
  std::shared_ptr<Dispatcher> main_dispatcher;  // the DCC main thread's dispatcher
  ThreadSafetyConfig config;                    // js_eval_timeout_ms is the default eval timeout
  std::size_t max_payload_bytes = 16u << 20;    // larger messages are refused on both sides
  // Origins ("https://host[:port]", or "null" for about:blank and load_html without a base URL)
  // whose pages may call handlers. Empty (the default): the origins of what the application itself
  // loaded with load_html and load_url. Anything else (a page the user navigated to, a frame of
  // another origin) is refused with OriginError and logged.
  std::vector<std::string> allowed_origins;
  std::chrono::milliseconds close_timeout{5000};
};

class WebViewProxy;
class WebView;

namespace webview_detail {
struct Platform;
std::unique_ptr<WebView> make_webview(WebViewOptions options, const Platform& platform);
}  // namespace webview_detail

// Host mode in a host whose main loop is not GLib's (an engine tick, a timer the host drives): the
// host calls this from its own timer or tick on its main thread, to run the host-mode views' pending
// work (page messages, evaluations, input, drawing) for up to `budget`. Returns true when work remains
// (call again soon). The first call makes the calling thread the owner of the default GLib context;
// throws std::logic_error if another thread runs that context. Main thread of host-mode views only;
// never blocks (it runs only what is ready).
bool pump_host_webviews(std::chrono::nanoseconds budget = std::chrono::milliseconds(5));

class WebView {
 public:
  // Creates the view on the WebView thread and waits until it exists. Throws std::runtime_error
  // when no display is available, std::invalid_argument for inconsistent options (dcc_mode without
  // a main dispatcher). Thread-safe; blocks until the view exists.
  explicit WebView(WebViewOptions options = {});
  // close(). Thread-safe; blocks up to options.close_timeout.
  ~WebView();
  WebView(const WebView&) = delete;
  WebView& operator=(const WebView&) = delete;

  // Loads `html` as a document of `base_url`'s origin (none: "null"). The bridge is injected into
  // every document. Thread-safe.
  void load_html(std::string html, std::string base_url = {});
  // Thread-safe.
  void load_url(std::string url);
  // Loads the current page again; content given to load_html is run again from the same string
  // (WebKit alone would show an empty page). Thread-safe.
  void reload();

  // Evaluates `script`; the result is dropped, a page error is logged. Thread-safe.
  void eval_js(std::string script);
  // Evaluates `script` and awaits the returned Promise, if any. `callback` runs on the WebView thread
  // with the result (JSON text) or the error; after `timeout` (at most 2^31 - 1 ms, about 24.8 days:
  // a longer one counts as that) it gets a TimeoutError. Thread-safe.
  void eval_js_async(std::string script, const EvalCallback& callback,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Evaluates `script` and waits for its (awaited) value as JSON text. kTimeout after `timeout`;
  // kJavaScript for page errors ("name: message"; `exception` holds a JavaScriptError with the
  // page's name, message and stack); kWebProcess when the process running the page ended before it
  // answered (crash, kill, memory limit: no page bug); kDeadlock at once on the WebView thread
  // (it would wait for itself: use eval_js_async there); kShutdown after close.
  // Thread-safe; blocks up to `timeout`; a loop thread keeps serving calls addressed to it meanwhile.
  Result<std::string> eval_js_sync(const std::string& script,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Sends `event` with `data_json` to the page's dccview.on(event) listeners. Emits are coalesced
  // into one evaluation per flush; order is kept per emitting thread. Invalid JSON is refused
  // (kInvalidArgument). Thread-safe; never blocks.
  Result<void> emit(const std::string& event, const std::string& data_json = "null");

  // Registers `handler` for page calls (dccview.call(name)) and events (dccview.emit(name)) named
  // `name`, replacing any previous one. Thread-safe.
  void on(const std::string& name, Handler handler);

  // Thread-safe.
  void show();
  // Thread-safe.
  void hide();
  // Thread-safe.
  void set_title(std::string title);
  // Thread-safe.
  void set_size(int width, int height);

  // The X11 window id of the view's toplevel window (for docking into a host), or 0 when none.
  // Thread-safe; blocks until the WebView thread answers.
  std::uint64_t native_handle();

  // Opens the WebKit inspector for the page, in a window of its own. kInvalidArgument when the view
  // was created without options.debug; kShutdown once closed. Thread-safe; blocks until the
  // WebView thread answers (up to 10 s; kTimeout then).
  Result<void> show_inspector();

  // Saves what the view shows as a PNG file. Thread-safe; blocks up to `timeout`.
  Result<void> save_screenshot(const std::string& png_path,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Graceful close: stop accepting, drain queued operations up to options.close_timeout (a warning
  // is logged on timeout), reject the page's pending calls, destroy the view. Idempotent.
  // Thread-safe; blocks up to close_timeout, except on the WebView thread where it schedules the
  // close and returns.
  void close();
  // Thread-safe.
  bool is_closed() const noexcept;
  // Where the view lives: kDedicated (dccview's own WebView thread) or kHost (the host's main thread,
  // which runs the view; Qt WebEngine views always). Never kAuto: what options.thread_mode resolved
  // to. Thread-safe.
  ThreadMode thread_mode() const noexcept;

  // A handle for other threads. Thread-safe.
  WebViewProxy get_proxy() const;

  struct Core;

 private:
  // A view on another platform than the build's default (src/webview/hosted_platform.h).
  friend std::unique_ptr<WebView> webview_detail::make_webview(WebViewOptions, const webview_detail::Platform&);
  WebView(WebViewOptions options, const webview_detail::Platform& platform);

  std::shared_ptr<Core> core_;
};

// Copyable; every method is thread-safe and fails with kShutdown once the WebView is closed (or
// destroyed): nothing is dropped silently.
class WebViewProxy {
 public:
  // Thread-safe.
  Result<void> eval_js(std::string script) const;
  // Thread-safe.
  Result<void> eval_js_async(std::string script, EvalCallback callback,
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt) const;
  // Thread-safe; blocks up to `timeout`.
  Result<std::string> eval_js_sync(const std::string& script,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt) const;
  // Thread-safe; never blocks.
  Result<void> emit(const std::string& event, const std::string& data_json = "null") const;
  // Thread-safe.
  Result<void> load_url(std::string url) const;
  // Thread-safe.
  Result<void> load_html(std::string html, std::string base_url = {}) const;
  // Thread-safe.
  Result<void> reload() const;
  // Thread-safe; blocks up to the close timeout.
  Result<void> close() const;

 private:
  friend class WebView;
  explicit WebViewProxy(std::weak_ptr<WebView::Core> core) : core_(std::move(core)) {}
  std::weak_ptr<WebView::Core> core_;
};

}  // namespace dccview
