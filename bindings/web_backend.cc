// A webview_detail::Backend over a Python object (web_backend.h), and the events object through
// which that Python object reports to the core.
#include "web_backend.h"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "dccview/dispatcher.h"
#include "dccview/log.h"
#include "python_gate.h"
#include "webview/channel_deliveries.h"
#include "webview/hosted_platform.h"
#include "webview/protocol.h"

namespace nb = nanobind;

namespace dccview::webview_detail {
extern const char kBridgeJs[];       // js/bridge.js, embedded at build time
extern const char kBridgeWorldJs[];  // js/bridge_world.js, embedded at build time
extern const char kEvaluateJs[];         // js/evaluate.js
extern const char kEvaluateByEventJs[];  // js/evaluate_by_event.js
}  // namespace dccview::webview_detail

namespace dccview::python {

namespace {

using webview_detail::Backend;
using webview_detail::BackendEvents;

// What the Python events object points at; cleared when the backend is destroyed, so that a late
// signal from the engine (a Qt object outliving the view) reaches nothing.
struct EventsTarget {
  BackendEvents* events = nullptr;  // GUI thread only
  std::shared_ptr<Dispatcher> gui;
  webview_detail::ChannelDeliveries* deliveries = nullptr;  // the backend's, while it lives
};

// dccview._core.BackendEvents: GUI thread only; calls after the view is gone do nothing.
struct PyBackendEvents {
  std::shared_ptr<EventsTarget> target;

  BackendEvents* live() const {
    if (!target->gui->is_main_thread()) {
      throw std::logic_error("dccview: backend events must be reported on the GUI thread");
    }
    return target->events;
  }
};

// Runs a native callback once; the first call wins, later ones do nothing. Unanswered when the
// Python side drops it: `fallback` answers instead.
template <typename Fn>
struct Once {
  Fn fn;
  std::function<void(Fn&)> fallback;
  ~Once() {
    if (fn && fallback) fallback(fn);
  }
  Fn take() { return std::exchange(fn, nullptr); }
};

nb::object done_callable(std::function<void()> done) {
  if (!done) return nb::none();
  auto once = std::make_shared<Once<std::function<void()>>>();
  once->fn = std::move(done);
  once->fallback = [](std::function<void()>& fn) { fn(); };
  return nb::cpp_function([once] {
    if (auto fn = once->take()) {
      GilRelease release;
      fn();
    }
  });
}

nb::object eval_reply(EvalCallback callback) {
  auto once = std::make_shared<Once<EvalCallback>>();
  once->fn = std::move(callback);
  once->fallback = [](EvalCallback& fn) {
    fn(std::nullopt, JsError{"ShutdownError", "the WebView was destroyed before the script finished", ""});
  };
  using ErrorTuple = std::tuple<std::string, std::string, std::string>;
  return nb::cpp_function(
      [once](std::optional<std::string> result, std::optional<ErrorTuple> error) {
        EvalCallback fn = once->take();
        if (!fn) return;
        std::optional<JsError> js_error;
        if (error) js_error = JsError{std::get<0>(*error), std::get<1>(*error), std::get<2>(*error)};
        if (!result && !js_error) result = "null";
        GilRelease release;
        fn(std::move(result), std::move(js_error));
      },
      nb::arg("result").none(), nb::arg("error").none() = nb::none());
}

nb::object save_reply(std::function<void(Result<void>)> done) {
  auto once = std::make_shared<Once<std::function<void(Result<void>)>>>();
  once->fn = std::move(done);
  once->fallback = [](std::function<void(Result<void>)>& fn) {
    fn(Error{ErrorCode::kShutdown, "the WebView was destroyed before the screenshot was saved", nullptr});
  };
  return nb::cpp_function(
      [once](std::optional<std::string> error) {
        auto fn = once->take();
        if (!fn) return;
        GilRelease release;
        if (error) {
          fn(Error{ErrorCode::kInvalidArgument, *error, nullptr});
        } else {
          fn(Result<void>());
        }
      },
      nb::arg("error").none() = nb::none());
}

class PyBackend final : public Backend {
 public:
  PyBackend(nb::object object, std::shared_ptr<EventsTarget> target)
      : object_(object.ptr()), target_(std::move(target)) {
    target_->deliveries = &deliveries_;
  }

  ~PyBackend() override {
    target_->events = nullptr;
    target_->deliveries = nullptr;
    deliveries_.drop_all();
    GilAcquire gil;
    if (!gil.ok()) return;
    invoke("destroy");
  }

  void load_html(const std::string& html, const std::string& base_url) override {
    invoke("load_html", html, base_url);
  }
  void load_url(const std::string& url) override { invoke("load_url", url); }
  void reload() override { invoke("reload"); }
  std::string current_url() override {
    GilAcquire gil;
    if (!gil.ok()) return {};
    nb::object url = invoke("current_url");
    return nb::isinstance<nb::str>(url) ? nb::cast<std::string>(url) : std::string();
  }
  void evaluate(const std::string& script, std::function<void()> done) override {
    GilAcquire gil;
    if (gil.ok()) invoke("evaluate", script, done_callable(std::move(done)));
  }
  void deliver(const std::string& doc, const std::string& messages_json, std::function<void()> done) override {
    deliveries_.deliver(doc, messages_json, std::move(done));
  }
  void evaluate_async(const std::string& script, EvalCallback callback, std::chrono::milliseconds timeout) override {
    GilAcquire gil;
    if (!gil.ok()) return;
    invoke("evaluate_async", script, eval_reply(std::move(callback)), static_cast<double>(timeout.count()) / 1000.0);
  }
  void document_ready() override { invoke("document_ready"); }
  void show() override { invoke("show"); }
  void hide() override { invoke("hide"); }
  void set_title(const std::string& title) override { invoke("set_title", title); }
  void set_size(int width, int height) override { invoke("set_size", width, height); }
  std::uint64_t native_handle() override {
    GilAcquire gil;
    if (!gil.ok()) return 0;
    nb::object handle = invoke("native_handle");
    return nb::isinstance<nb::int_>(handle) ? nb::cast<std::uint64_t>(handle) : 0;
  }
  bool show_inspector() override {
    GilAcquire gil;
    if (!gil.ok()) return false;
    nb::object shown = invoke("show_inspector");
    return shown.is_valid() && nb::cast<bool>(nb::bool_(shown));
  }
  void save_png(const std::string& path, std::function<void(Result<void>)> done) override {
    GilAcquire gil;
    if (gil.ok()) invoke("save_png", path, save_reply(std::move(done)));
  }

 private:
  // Calls method `name`; an exception is reported (sys.unraisablehook) and yields an invalid object.
  template <typename... Args>
  nb::object invoke(const char* name, Args&&... args) {
    GilAcquire gil;
    if (!gil.ok()) return {};
    try {
      return nb::handle(object_.get()).attr(name)(std::forward<Args>(args)...);
    } catch (nb::python_error& error) {
      error.discard_as_unraisable(("dccview: the web backend's " + std::string(name) + "()").c_str());
    } catch (const std::exception& error) {
      log(LogLevel::kError, "the web backend's " + std::string(name) + "() failed: " + error.what());
    }
    return {};
  }

  PyRef object_;
  std::shared_ptr<EventsTarget> target_;
  // Deliveries the page does not wait for go through the Python object's send(doc, messages, ack).
  webview_detail::ChannelDeliveries deliveries_{[this](const std::string& doc, const std::string& messages, int ack) {
    GilAcquire gil;
    if (!gil.ok()) return false;
    nb::object sent = invoke("send", doc, messages, ack);
    return !sent.is_valid() || !sent.is(Py_False);  // False: no page any more
  }};
};

// Releases the GIL while the core routes (handlers take it again when they run).
template <typename Fn>
void report(const PyBackendEvents& self, Fn&& fn) {
  BackendEvents* events = self.live();
  if (events == nullptr) return;
  GilRelease release;
  fn(*events);
}

}  // namespace

void bind_web_backend(nb::module_& m) {
  nb::class_<PyBackendEvents>(m, "BackendEvents",
                              "What a web backend reports to the WebView core. GUI thread only; "
                              "calls after the view is destroyed do nothing.")
      .def("page_message",
           [](const PyBackendEvents& self, std::string text) {
             report(self, [&](BackendEvents& e) { e.on_page_message(text); });
           },
           "A message the bridge's privileged half posted (header line and page message).")
      .def("delivered",
           [](const PyBackendEvents& self, int ack) {
             report(self, [&](BackendEvents&) {
               if (self.target->deliveries != nullptr) self.target->deliveries->acknowledged(ack);
             });
           },
           "The page handled the delivery sent with `ack`.")
      .def("release_deliveries",
           [](const PyBackendEvents& self) {
             if (self.live() == nullptr || self.target->deliveries == nullptr) return;
             GilRelease release;
             self.target->deliveries->release_all();
           },
           "The document will not acknowledge what it was sent (navigation, a lost web process).")
      .def("navigation_started",
           [](const PyBackendEvents& self) { report(self, [](BackendEvents& e) { e.on_navigation_started(); }); })
      .def("web_process_terminated",
           [](const PyBackendEvents& self, std::string reason) {
             report(self, [&](BackendEvents& e) { e.on_web_process_terminated(reason); });
           },
           "reason: 'crashed', 'exceeded_memory_limit' or 'terminated_by_api'.")
      .def("close_requested",
           [](const PyBackendEvents& self) { report(self, [](BackendEvents& e) { e.on_close_requested(); }); })
      .def_prop_ro("alive", [](const PyBackendEvents& self) { return self.target->events != nullptr; });
  m.def("read_evaluation_outcome",
        [](const std::string& text) {
          using ErrorTuple = std::tuple<std::string, std::string, std::string>;
          auto outcome = protocol::read_evaluation_outcome(text);
          std::optional<ErrorTuple> error;
          if (!outcome.value_json) error = ErrorTuple{outcome.error_name, outcome.error_message, outcome.error_stack};
          return std::make_tuple(outcome.value_json, error);
        },
        "(value_json | None, (name, message, stack) | None) for what js/evaluate.js resolved to, read as "
        "every engine reads it.");
  m.def("bridge_scripts",
        [] {
          std::string by_event = webview_detail::kEvaluateByEventJs;
          const std::string placeholder = "__DCCVIEW_EVALUATE__";
          by_event.replace(by_event.find(placeholder), placeholder.size(), webview_detail::kEvaluateJs);
          return std::make_tuple(std::string(webview_detail::kBridgeJs), std::string(webview_detail::kBridgeWorldJs),
                                 by_event);
        },
        "(page half, privileged half, evaluation by event) for web backends: js/bridge.js, "
        "js/bridge_world.js with its token placeholder __DCCVIEW_BRIDGE_TOKEN__, and js/evaluate.js "
        "inside js/evaluate_by_event.js, to be called as (id, script).");
}

std::unique_ptr<WebView> make_python_backed_webview(WebViewOptions options, std::shared_ptr<Dispatcher> gui,
                                                    nb::handle factory) {
  if (!PyCallable_Check(factory.ptr())) throw nb::type_error("backend_factory must be callable");
  auto callable = std::make_shared<PyRef>(factory.ptr());
  auto create = [callable, gui](const WebViewOptions&, BackendEvents& events,
                                const std::string& token) -> std::unique_ptr<Backend> {
    GilAcquire gil;
    if (!gil.ok()) throw ShutdownInProgressError("dccview: the interpreter is shutting down");
    auto target = std::make_shared<EventsTarget>(EventsTarget{&events, gui});
    try {
      nb::object object = nb::handle(callable->get())(PyBackendEvents{target}, token);
      return std::make_unique<PyBackend>(std::move(object), std::move(target));
    } catch (nb::python_error& error) {
      throw std::runtime_error(std::string("dccview: the web backend could not create the view: ") + error.what());
    }
  };
  const auto platform = webview_detail::hosted_platform(gui, std::move(create));
  BlockingScope blocking;  // creation waits for the GUI thread (or runs here, on it)
  return webview_detail::make_webview(std::move(options), platform);
}

}  // namespace dccview::python
