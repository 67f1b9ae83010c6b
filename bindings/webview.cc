// The Python face of dccview::WebView and WebViewProxy. Data crosses as JSON text; dccview/webview.py
// does the json conversion and the RFC's API. Handlers and callbacks are Python callables that native
// threads (the WebView thread, the main thread in dcc_mode) call through GilAcquire.
#include "webview.h"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <optional>
#include <tuple>

#include "dccview/webview.h"
#include "dispatcher.h"
#include "errors.h"
#include "interrupts.h"
#include "python_gate.h"
#include "web_backend.h"

namespace nb = nanobind;

namespace dccview::python {

namespace {

using JsErrorTuple = std::tuple<std::string, std::string, std::string>;  // name, message, stack

std::string text_of(PyObject* object) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(object, &size);
  if (data == nullptr) throw nb::python_error();
  return std::string(data, static_cast<std::size_t>(size));
}

// The Python exception being raised, as (type name, message); clears it.
std::pair<std::string, std::string> take_python_error() {
  PyObject* type = nullptr;
  PyObject* value = nullptr;
  PyObject* traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyErr_NormalizeException(&type, &value, &traceback);
  std::string name = type != nullptr ? reinterpret_cast<PyTypeObject*>(type)->tp_name : "Exception";
  if (auto dot = name.rfind('.'); dot != std::string::npos) name.erase(0, dot + 1);
  std::string message;
  if (PyObject* text = value != nullptr ? PyObject_Str(value) : nullptr) {
    if (const char* utf8 = PyUnicode_AsUTF8(text)) message = utf8;
    Py_DECREF(text);
  }
  PyErr_Clear();
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
  return {name, message};
}

// A native handler over a Python callable taking and returning JSON text.
Handler handler_of(nb::handle fn) {
  if (!PyCallable_Check(fn.ptr())) throw nb::type_error("expected a callable");
  auto callable = std::make_shared<PyRef>(fn.ptr());
  return [callable](const std::string& params_json) -> std::string {
    GilAcquire gil;
    if (!gil.ok()) throw ShutdownInProgressError("dccview: the interpreter is shutting down");
    PyObject* result = PyObject_CallFunction(callable->get(), "s#", params_json.data(),
                                             static_cast<Py_ssize_t>(params_json.size()));
    if (result == nullptr) {
      if (forward_interrupt()) {  // raised on the main thread; the page hears the view is going
        throw ShutdownInProgressError("dccview: the handler was interrupted (KeyboardInterrupt or SystemExit)");
      }
      auto [type, message] = take_python_error();
      throw HandlerError(type, message);
    }
    std::string text;
    if (PyUnicode_Check(result)) {
      text = text_of(result);
    } else {
      text = "\x01";  // not JSON: answered as "the handler returned invalid JSON"
    }
    Py_DECREF(result);
    return text;
  };
}

// A native evaluation callback over a Python callable(result_json | None, (name, message, stack) | None).
EvalCallback eval_callback_of(nb::handle fn) {
  if (!PyCallable_Check(fn.ptr())) throw nb::type_error("expected a callable");
  auto callable = std::make_shared<PyRef>(fn.ptr());
  return [callable](std::optional<std::string> result, std::optional<JsError> error) {
    GilAcquire gil;
    if (!gil.ok()) return;
    nb::object py_result = result ? nb::object(nb::str(result->c_str(), result->size())) : nb::none();
    nb::object py_error = error ? nb::cast(JsErrorTuple{error->name, error->message, error->stack}) : nb::none();
    PyObject* out = PyObject_CallFunctionObjArgs(callable->get(), py_result.ptr(), py_error.ptr(), nullptr);
    if (out == nullptr && !forward_interrupt()) {
      PyObject* where = PyUnicode_FromString("dccview: an eval_js_async callback");
      PyErr_WriteUnraisable(where);
      Py_XDECREF(where);
    }
    Py_XDECREF(out);
  };
}

std::optional<std::chrono::milliseconds> timeout_of(std::optional<double> timeout_ms) {
  if (!timeout_ms) return std::nullopt;
  if (!(*timeout_ms >= 0)) throw std::invalid_argument("timeout_ms must be >= 0");
  return std::chrono::milliseconds(static_cast<std::int64_t>(*timeout_ms));
}

ThreadMode thread_mode_of(const std::string& mode) {
  if (mode == "auto") return ThreadMode::kAuto;
  if (mode == "dedicated") return ThreadMode::kDedicated;
  if (mode == "host") return ThreadMode::kHost;
  throw std::invalid_argument("thread_mode must be 'auto', 'dedicated' or 'host', not '" + mode + "'");
}

void check(const Result<void>& result) {
  if (!result.ok()) raise_error(result.error());
}

std::string value_of(Result<std::string> result) {
  if (!result.ok()) raise_error(result.error());
  return std::move(result).value();
}

// The Python object: the view, destroyed without the GIL (closing drains work that needs it).
struct PyWebView {
  std::unique_ptr<WebView> view;

  ~PyWebView() {
    if (!view) return;
    if (PyGILState_Check()) {
      GilRelease release;
      view.reset();
    } else {
      view.reset();
    }
  }
  WebView& get() {
    if (!view) throw ShutdownInProgressError("dccview: the WebView is destroyed");
    return *view;
  }
};

struct Options {
  std::string title;
  int width;
  int height;
  bool visible;
  bool debug;
  bool dcc_mode;
  std::string thread_mode;
  std::uint64_t parent;
  PyDispatcher* dispatcher;
  ThreadSafetyConfig config;
  std::vector<std::string> allowed_origins;
  std::size_t max_payload_bytes;
  std::uint64_t close_timeout_ms;
  // Where dcc_mode handlers run, when not on `dispatcher`'s thread (the main thread): the strict
  // handler thread (python/dccview/_strict.py).
  PyDispatcher* handlers_dispatcher = nullptr;
};

WebViewOptions native_options(const Options& o) {
  WebViewOptions options;
  options.title = o.title;
  options.width = o.width;
  options.height = o.height;
  options.visible = o.visible;
  options.debug = o.debug;
  options.dcc_mode = o.dcc_mode;
  options.thread_mode = thread_mode_of(o.thread_mode);
  options.parent = o.parent;
  if (o.dispatcher != nullptr) options.main_dispatcher = o.dispatcher->dispatcher;
  if (o.handlers_dispatcher != nullptr) options.main_dispatcher = o.handlers_dispatcher->dispatcher;
  options.config = o.config;
  options.allowed_origins = o.allowed_origins;
  options.max_payload_bytes = o.max_payload_bytes;
  options.close_timeout = std::chrono::milliseconds(o.close_timeout_ms);
  return options;
}

void construct(PyWebView* self, const Options& options, nb::handle backend_factory) {
  WebViewOptions native = native_options(options);
  std::unique_ptr<WebView> view;
  if (!backend_factory.is_none()) {
    if (options.dispatcher == nullptr) throw std::invalid_argument("dccview: a web backend needs the GUI thread's dispatcher");
    view = make_python_backed_webview(std::move(native), options.dispatcher->dispatcher, backend_factory);
  } else {
    BlockingScope blocking;  // creation waits for the WebView thread
    view = std::make_unique<WebView>(std::move(native));
  }
  new (self) PyWebView{std::move(view)};
}

void bind_proxy(nb::module_& m) {
  nb::class_<WebViewProxy>(m, "WebViewProxy", "A handle usable from any thread; raises after close.")
      .def("eval_js", [](const WebViewProxy& p, std::string script) { check(p.eval_js(std::move(script))); })
      .def("eval_js_async",
           [](const WebViewProxy& p, std::string script, nb::handle callback, std::optional<double> timeout_ms) {
             check(p.eval_js_async(std::move(script), eval_callback_of(callback), timeout_of(timeout_ms)));
           },
           nb::arg("script"), nb::arg("callback"), nb::arg("timeout_ms") = nb::none())
      .def("eval_js_sync",
           [](const WebViewProxy& p, const std::string& script, std::optional<double> timeout_ms) {
             Result<std::string> result = Error{};
             {
               BlockingScope blocking;
               result = p.eval_js_sync(script, timeout_of(timeout_ms));
             }
             return value_of(std::move(result));
           },
           nb::arg("script"), nb::arg("timeout_ms") = nb::none())
      .def("emit",
           [](const WebViewProxy& p, const std::string& event, const std::string& data_json) {
             check(p.emit(event, data_json));
           },
           nb::arg("event"), nb::arg("data_json") = "null")
      .def("load_url", [](const WebViewProxy& p, std::string url) { check(p.load_url(std::move(url))); })
      .def("load_html",
           [](const WebViewProxy& p, std::string html, std::string base_url) {
             check(p.load_html(std::move(html), std::move(base_url)));
           },
           nb::arg("html"), nb::arg("base_url") = "")
      .def("reload", [](const WebViewProxy& p) { check(p.reload()); })
      .def("close", [](const WebViewProxy& p) {
        Result<void> result = Error{};
        {
          BlockingScope blocking;
          result = p.close();
        }
        check(result);
      });
}

}  // namespace

void bind_webview(nb::module_& m) {
  bind_proxy(m);
  nb::class_<PyWebView>(m, "WebView", "The native WebView (WebKitGTK, or a web backend written in Python); every method is thread-safe.")
      .def("__init__",
           [](PyWebView* self, std::string title, int width, int height, bool visible, bool debug,
              bool dcc_mode, std::string thread_mode, std::uint64_t parent, PyDispatcher* dispatcher,
              std::uint64_t js_eval_timeout_ms, std::uint64_t main_thread_timeout_ms, std::uint32_t max_retries,
              std::uint64_t retry_delay_ms, std::optional<bool> debug_lock_order,
              std::vector<std::string> allowed_origins, std::size_t max_payload_bytes,
              std::uint64_t close_timeout_ms, nb::handle backend_factory, PyDispatcher* handlers_dispatcher) {
             ThreadSafetyConfig config;
             config.js_eval_timeout_ms = js_eval_timeout_ms;
             config.main_thread_timeout_ms = main_thread_timeout_ms;
             config.max_retries = max_retries;
             config.retry_delay_ms = retry_delay_ms;
             if (debug_lock_order) config.debug_lock_order = *debug_lock_order;
             construct(self, Options{std::move(title), width, height, visible, debug, dcc_mode,
                                     std::move(thread_mode), parent, dispatcher, config,
                                     std::move(allowed_origins), max_payload_bytes, close_timeout_ms,
                                     handlers_dispatcher},
                       backend_factory);
           },
           nb::arg("title") = "dccview", nb::arg("width") = 800, nb::arg("height") = 600,
           nb::arg("visible") = true, nb::arg("debug") = false, nb::arg("dcc_mode") = false,
           nb::arg("thread_mode") = "auto", nb::arg("parent") = 0, nb::arg("dispatcher").none() = nb::none(),
           nb::arg("js_eval_timeout_ms") = 5000, nb::arg("main_thread_timeout_ms") = 30000,
           nb::arg("max_retries") = 3, nb::arg("retry_delay_ms") = 100,
           nb::arg("debug_lock_order").none() = nb::none(),
           nb::arg("allowed_origins") = std::vector<std::string>{},
           nb::arg("max_payload_bytes") = std::size_t{16u << 20}, nb::arg("close_timeout_ms") = 5000,
           nb::arg("backend_factory").none() = nb::none(), nb::arg("handlers_dispatcher").none() = nb::none(),
           "backend_factory(events, bridge_token) -> backend: a web engine written in Python (see "
           "dccview._web_backends); None for the built-in WebKitGTK. handlers_dispatcher: where dcc_mode "
           "handlers run, if not on `dispatcher`'s (the main) thread.")
      .def("load_html",
           [](PyWebView& w, std::string html, std::string base_url) {
             w.get().load_html(std::move(html), std::move(base_url));
           },
           nb::arg("html"), nb::arg("base_url") = "")
      .def("load_url", [](PyWebView& w, std::string url) { w.get().load_url(std::move(url)); })
      .def("reload", [](PyWebView& w) { w.get().reload(); })
      .def("on", [](PyWebView& w, const std::string& name, nb::handle handler) { w.get().on(name, handler_of(handler)); },
           nb::arg("name"), nb::arg("handler"), "handler(params_json: str) -> str (JSON text).")
      .def("show", [](PyWebView& w) { w.get().show(); })
      .def("hide", [](PyWebView& w) { w.get().hide(); })
      .def("set_title", [](PyWebView& w, std::string title) { w.get().set_title(std::move(title)); })
      .def("set_size", [](PyWebView& w, int width, int height) { w.get().set_size(width, height); })
      .def("native_handle", [](PyWebView& w) {
        BlockingScope blocking;
        return w.get().native_handle();
      })
      .def("show_inspector",
           [](PyWebView& w) {
             Result<void> result = Error{};
             {
               BlockingScope blocking;
               result = w.get().show_inspector();
             }
             check(result);
           },
           "Opens the WebKit inspector (the view must be created with debug=True).")
      .def("save_screenshot",
           [](PyWebView& w, const std::string& path, double timeout_s) {
             Result<void> result = Error{};
             {
               BlockingScope blocking;
               result = w.get().save_screenshot(path, std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)));
             }
             check(result);
           },
           nb::arg("path"), nb::arg("timeout_s") = 10.0)
      .def("close", [](PyWebView& w) {
        BlockingScope blocking;
        w.get().close();
      })
      .def_prop_ro("is_closed", [](PyWebView& w) { return !w.view || w.view->is_closed(); })
      .def_prop_ro("thread_mode",
                   [](PyWebView& w) -> const char* {
                     if (!w.view) return "closed";
                     return w.view->thread_mode() == ThreadMode::kDedicated ? "dedicated" : "host";
                   },
                   "Where the view lives: 'dedicated' (dccview's own WebView thread) or 'host' (the "
                   "host's main thread).")
      .def("get_proxy", [](PyWebView& w) { return w.get().get_proxy(); });
}

}  // namespace dccview::python
