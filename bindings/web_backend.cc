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
#include "webview/channel_backend.h"
#include "webview/hosted_platform.h"

namespace nb = nanobind;

namespace dccview::webview_detail {
extern const char kBridgeJs[];       // js/bridge.js, embedded at build time
extern const char kBridgeWorldJs[];  // js/bridge_world.js, embedded at build time
}  // namespace dccview::webview_detail

namespace dccview::python {

namespace {

using webview_detail::BackendEvents;
using webview_detail::ChannelBackend;

class PyBackend;

// What the Python events object points at; cleared when the backend is destroyed, so that a late
// signal from the engine (a Qt object outliving the view) reaches nothing.
struct EventsTarget {
  PyBackend* backend = nullptr;  // GUI thread only
  std::shared_ptr<Dispatcher> gui;
};

// dccview._core.BackendEvents: GUI thread only; calls after the view is gone do nothing.
struct PyBackendEvents {
  std::shared_ptr<EventsTarget> target;

  PyBackend* live() const {
    if (!target->gui->is_main_thread()) {
      throw std::logic_error("dccview: backend events must be reported on the GUI thread");
    }
    return target->backend;
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

// The Python object is the engine; what every channel engine shares (held scripts, evaluations and
// their timeouts, acknowledged deliveries) is webview/channel_backend.h's, here as for C++ engines.
class PyBackend final : public ChannelBackend {
 public:
  PyBackend(BackendEvents& events, const nb::object& object, std::shared_ptr<EventsTarget> target)
      : ChannelBackend(events), object_(object.ptr()), target_(std::move(target)) {
    target_->backend = this;
  }

  ~PyBackend() override {
    target_->backend = nullptr;
    GilAcquire gil;
    if (!gil.ok()) return;
    invoke("destroy");
  }

  std::string current_url() override {
    GilAcquire gil;
    if (!gil.ok()) return {};
    nb::object url = invoke("current_url");
    return nb::isinstance<nb::str>(url) ? nb::cast<std::string>(url) : std::string();
  }
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

  // What the Python object reports (BackendEvents), GIL released.
  BackendEvents& core_events() { return events_; }
  void report_load_started() { load_started(); }
  void report_load_finished() { load_finished(); }
  void report_evaluation_result(const std::string& text) { evaluation_result(text); }
  void report_delivered(int ack) { delivered(ack); }
  void report_process_terminated(const std::string& reason) { process_terminated(reason); }
  void report_expiry() { expire_evaluations(); }
  void report_view_lost() { lost_ = true; }

 protected:
  bool page_alive() const override { return !lost_; }
  void navigate_html(const std::string& html, const std::string& base_url) override {
    invoke("load_html", html, base_url);
  }
  void navigate_url(const std::string& url) override { invoke("load_url", url); }
  void navigate_reload() override { invoke("reload"); }
  void run_script(const std::string& script, std::function<void()> done) override {
    GilAcquire gil;
    if (gil.ok()) invoke("run", script, done_callable(std::move(done)));
  }
  bool send(const std::string& doc, const std::string& messages, int ack) override {
    GilAcquire gil;
    if (!gil.ok()) return false;
    nb::object sent = invoke("send", doc, messages, ack);
    return !sent.is_valid() || !sent.is(Py_False);  // False: no page any more
  }
  void arm_expiry(std::chrono::milliseconds delay) override {
    invoke("arm_expiry", static_cast<double>(delay.count()) / 1000.0);
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
  bool lost_ = false;  // the engine's view is gone (BackendEvents.view_lost)
};

// Releases the GIL while the core routes (handlers take it again when they run).
template <typename Fn>
void report(const PyBackendEvents& self, Fn&& fn) {
  PyBackend* backend = self.live();
  if (backend == nullptr) return;
  GilRelease release;
  fn(*backend);
}

}  // namespace

void bind_web_backend(nb::module_& m) {
  nb::class_<PyBackendEvents>(m, "BackendEvents",
                              "What a web backend reports to the WebView core. GUI thread only; "
                              "calls after the view is destroyed do nothing.")
      .def("page_message",
           [](const PyBackendEvents& self, std::string text) {
             report(self, [&](PyBackend& b) { b.core_events().on_page_message(text); });
           },
           "A message the bridge's privileged half posted (header line and page message).")
      .def("evaluation_result",
           [](const PyBackendEvents& self, std::string text) {
             report(self, [&](PyBackend& b) { b.report_evaluation_result(text); });
           },
           "'<evaluation id>\\n<outcome JSON>', as the evaluation script (run(...)) sent it.")
      .def("delivered",
           [](const PyBackendEvents& self, int ack) { report(self, [&](PyBackend& b) { b.report_delivered(ack); }); },
           "The page handled the delivery sent with `ack`.")
      .def("load_started",
           [](const PyBackendEvents& self) { report(self, [](PyBackend& b) { b.report_load_started(); }); },
           "A navigation started (one the view made or one the page started).")
      .def("load_finished",
           [](const PyBackendEvents& self) { report(self, [](PyBackend& b) { b.report_load_finished(); }); },
           "The load ended (loaded or failed).")
      .def("expire_evaluations",
           [](const PyBackendEvents& self) { report(self, [](PyBackend& b) { b.report_expiry(); }); },
           "The timer arm_expiry() armed fired.")
      .def("web_process_terminated",
           [](const PyBackendEvents& self, std::string reason) {
             report(self, [&](PyBackend& b) { b.report_process_terminated(reason); });
           },
           "reason: 'crashed', 'exceeded_memory_limit' or 'terminated_by_api'.")
      .def("view_lost",
           [](const PyBackendEvents& self) { report(self, [](PyBackend& b) { b.report_view_lost(); }); },
           "The engine's view was deleted under the backend (its parent went): nothing reaches the page "
           "any more. Report close_requested() as well to close the WebView.")
      .def("close_requested",
           [](const PyBackendEvents& self) {
             report(self, [](PyBackend& b) { b.core_events().on_close_requested(); });
           })
      .def_prop_ro("alive", [](const PyBackendEvents& self) { return self.target->backend != nullptr; });
  m.def("bridge_scripts",
        [] { return std::make_tuple(std::string(webview_detail::kBridgeJs), std::string(webview_detail::kBridgeWorldJs)); },
        "(page half, privileged half) for web backends: js/bridge.js, and js/bridge_world.js with its "
        "token placeholder __DCCVIEW_BRIDGE_TOKEN__.");
}

std::unique_ptr<WebView> make_python_backed_webview(WebViewOptions options,
                                                    const std::shared_ptr<Dispatcher>& gui,
                                                    nb::handle factory) {
  if (!PyCallable_Check(factory.ptr())) throw nb::type_error("backend_factory must be callable");
  auto callable = std::make_shared<PyRef>(factory.ptr());
  auto create = [callable, gui](const WebViewOptions&, BackendEvents& events,
                                const std::string& token) -> std::unique_ptr<webview_detail::Backend> {
    GilAcquire gil;
    if (!gil.ok()) throw ShutdownInProgressError("dccview: the interpreter is shutting down");
    auto target = std::make_shared<EventsTarget>(EventsTarget{nullptr, gui});
    try {
      nb::object object = nb::handle(callable->get())(PyBackendEvents{target}, token);
      return std::make_unique<PyBackend>(events, std::move(object), std::move(target));
    } catch (nb::python_error& error) {
      throw std::runtime_error(std::string("dccview: the web backend could not create the view: ") + error.what());
    }
  };
  const auto platform = webview_detail::hosted_platform(gui, std::move(create));
  BlockingScope blocking;  // creation waits for the GUI thread (or runs here, on it)
  return webview_detail::make_webview(std::move(options), platform);
}

}  // namespace dccview::python
