// The WebKitGTK (webkit2gtk-4.1, GTK 3) backend. Everything here runs on the WebView thread.
#include <gdk/gdkx.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dccview/log.h"
#include "webview/backend.h"
#include "webview/protocol.h"
#include "webview/script_gate.h"

namespace dccview::webview_detail {

extern const char kBridgeJs[];       // js/bridge.js, embedded at build time
extern const char kBridgeWorldJs[];  // js/bridge_world.js, embedded at build time
extern const char kEvaluateJs[];     // js/evaluate.js, embedded at build time

namespace {

// The body of the function WebKit awaits for an evaluation (js/evaluate.js does the work).
std::string evaluation_body() {
  return std::string("return await (") + kEvaluateJs + ")(script);";
}

// Shared by the evaluation's completion and its timer; whichever comes first answers.
struct PendingEval {
  EvalCallback callback;
  GCancellable* cancellable = g_cancellable_new();
  guint timer = 0;
  bool answered = false;
  std::uint64_t document = 0;  // ScriptGate::document() when it was given: the document that runs it
  ~PendingEval() { g_object_unref(cancellable); }

  void answer(std::optional<std::string> value, std::optional<JsError> error) {
    if (answered) return;
    answered = true;
    if (timer != 0) g_source_remove(timer);
    timer = 0;
    EvalCallback cb = std::move(callback);
    try {
      cb(std::move(value), std::move(error));
    } catch (const std::exception& e) {
      log(LogLevel::kError, std::string("eval_js_async callback threw: ") + e.what());
    } catch (...) {
      log(LogLevel::kError, "eval_js_async callback threw a non-std::exception object");
    }
  }
};

void answer_from_json(PendingEval& pending, const std::string& text) {
  auto outcome = protocol::read_evaluation_outcome(text);
  if (outcome.value_json) {
    pending.answer(std::move(outcome.value_json), std::nullopt);
  } else {
    pending.answer(std::nullopt, JsError{outcome.error_name, outcome.error_message, outcome.error_stack});
  }
}

void on_eval_finished(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<std::shared_ptr<PendingEval>> holder(static_cast<std::shared_ptr<PendingEval>*>(data));
  PendingEval& pending = **holder;
  GError* error = nullptr;
  JSCValue* value = webkit_web_view_call_async_javascript_function_finish(WEBKIT_WEB_VIEW(source),
                                                                          result, &error);
  if (value == nullptr) {
    // js/evaluate.js catches whatever the page throws and always returns a string: a failure here is the
    // engine's, in practice the web process ending under the evaluation ("Completion handler for
    // function call is no longer reachable", "Unsupported result type").
    const bool cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    if (!cancelled) {
      pending.answer(std::nullopt, JsError{kWebProcessErrorName,
                                           std::string("the web process running the page ended before "
                                                       "the script finished (") +
                                               (error ? error->message : "no reason given") + ")",
                                           ""});
    }
    g_clear_error(&error);
    return;
  }
  char* text = jsc_value_to_string(value);
  answer_from_json(pending, text ? text : "");
  g_free(text);
  g_object_unref(value);
}

gboolean on_eval_timeout(gpointer data) {
  auto& pending = **static_cast<std::shared_ptr<PendingEval>*>(data);
  pending.timer = 0;  // this source is being removed by returning FALSE
  g_cancellable_cancel(pending.cancellable);
  pending.answer(std::nullopt, JsError{"TimeoutError", "evaluation timed out", ""});
  return G_SOURCE_REMOVE;
}

void delete_pending(gpointer data) { delete static_cast<std::shared_ptr<PendingEval>*>(data); }

// dccview's isolated script world: the bridge's privileged half and the message handler live there
// and nowhere else, so no page script and no frame can post to the handler (see js/bridge_world.js).
constexpr const char kBridgeWorld[] = "dccview";

// `world`: nullptr for the page's own world.
void add_top_frame_script(WebKitUserContentManager* content, const std::string& source, const char* world) {
  constexpr auto kFrames = WEBKIT_USER_CONTENT_INJECT_TOP_FRAME;
  constexpr auto kTime = WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START;
  WebKitUserScript* script =
      world ? webkit_user_script_new_for_world(source.c_str(), kFrames, kTime, world, nullptr, nullptr)
            : webkit_user_script_new(source.c_str(), kFrames, kTime, nullptr, nullptr);
  webkit_user_content_manager_add_script(content, script);
  webkit_user_script_unref(script);
}

// dccview's own web context, created and released on the WebView thread. WebKit's default context
// is a static that would be released by an exit handler on the process's main thread, which WebKit
// answers with an abort.
WebKitWebContext* g_web_context = nullptr;  // WebView thread only

WebKitWebContext* web_context() {
  if (g_web_context == nullptr) g_web_context = webkit_web_context_new();
  return g_web_context;
}

void on_fire_and_forget_done(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<std::function<void()>> done(static_cast<std::function<void()>*>(data));
  GError* error = nullptr;
  JSCValue* value = webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(source), result, &error);
  if (value != nullptr) g_object_unref(value);
  if (error != nullptr) {
    // A completion value WebKit cannot convert (undefined, a function) is not a page error.
    if (std::string(error->message) != "Unsupported result type") {
      log(LogLevel::kWarn, std::string("eval_js: the page reported an error: ") + error->message);
    }
    g_error_free(error);
  }
  if (done && *done) (*done)();
}

void on_delivered(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<std::function<void()>> done(static_cast<std::function<void()>*>(data));
  GError* error = nullptr;
  JSCValue* value = webkit_web_view_call_async_javascript_function_finish(WEBKIT_WEB_VIEW(source), result, &error);
  if (value != nullptr) g_object_unref(value);
  if (error != nullptr) g_error_free(error);  // a page without the bridge (navigating): nothing to do
  (*done)();
}

class WebKitBackend final : public Backend {
 public:
  WebKitBackend(const WebViewOptions& options, BackendEvents& events, const std::string& token)
      : events_(events) {
    WebKitUserContentManager* content = webkit_user_content_manager_new();
    g_signal_connect(content, "script-message-received::dccview", G_CALLBACK(on_script_message), this);
    webkit_user_content_manager_register_script_message_handler_in_world(content, "dccview", kBridgeWorld);
    std::string privileged = kBridgeWorldJs;
    const std::string placeholder = "__DCCVIEW_BRIDGE_TOKEN__";
    privileged.replace(privileged.find(placeholder), placeholder.size(), token);
    add_top_frame_script(content, privileged, kBridgeWorld);
    add_top_frame_script(content, kBridgeJs, nullptr);
    view_ = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW, "web-context", web_context(),
                                         "user-content-manager", content, nullptr));
    content_ = content;  // owned by the view from here on
    g_object_unref(content);
    if (options.debug) {
      webkit_settings_set_enable_developer_extras(webkit_web_view_get_settings(view_), TRUE);
    }
    g_signal_connect(view_, "load-changed", G_CALLBACK(on_load_changed), this);
    g_signal_connect(view_, "web-process-terminated", G_CALLBACK(on_web_process_terminated), this);
    window_ = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_title(GTK_WINDOW(window_), options.title.c_str());
    gtk_window_set_default_size(GTK_WINDOW(window_), options.width, options.height);
    g_signal_connect(window_, "delete-event", G_CALLBACK(on_delete_event), this);
    g_signal_connect(window_, "destroy-event", G_CALLBACK(on_destroy_event), this);
    gtk_container_add(GTK_CONTAINER(window_), GTK_WIDGET(view_));
    gtk_widget_realize(window_);
    if (options.parent != 0) dock_into(options.parent);
    if (options.visible) gtk_widget_show_all(window_);
  }

  ~WebKitBackend() override {
    gate_.drop();
    g_signal_handlers_disconnect_by_data(content_, this);
    g_signal_handlers_disconnect_by_data(view_, this);
    g_signal_handlers_disconnect_by_data(window_, this);
    GdkDisplay* display = gtk_widget_get_display(window_);
    gtk_widget_destroy(window_);
    // The closed event follows, and a host may destroy the window we were docked into the moment it
    // hears it. Every request about our windows must have reached the X server by then: one still
    // buffered would name a window the host's destruction removed, a BadWindow error GDK treats as
    // fatal.
    gdk_display_sync(display);
  }

  // Scripts given from here on run in the new document (webview/script_gate.h).
  void load_html(const std::string& html, const std::string& base_url) override {
    gate_.begin();
    webkit_web_view_load_html(view_, html.c_str(), base_url.empty() ? nullptr : base_url.c_str());
  }
  void load_url(const std::string& url) override {
    gate_.begin();
    webkit_web_view_load_uri(view_, url.c_str());
  }
  void reload() override {
    gate_.begin();
    webkit_web_view_reload(view_);
  }
  void document_ready() override { end_navigation(); }
  std::string current_url() override {
    const char* uri = webkit_web_view_get_uri(view_);
    return uri ? uri : "";
  }

  void evaluate(const std::string& script, std::function<void()> done) override {
    gate_.run([this, script, done = std::move(done)]() mutable {
      webkit_web_view_evaluate_javascript(view_, script.c_str(), static_cast<gssize>(script.size()),
                                          nullptr, nullptr, nullptr, on_fire_and_forget_done,
                                          done ? new std::function<void()>(std::move(done)) : nullptr);
    });
  }

  void deliver(const std::string& doc, const std::string& messages_json, std::function<void()> done) override {
    static constexpr char kBody[] = "return __dccviewDeliver(d, m);";
    // Always valid UTF-8 (the protocol encodes it so); made valid rather than trusted, since a
    // GVariant string must be.
    char* text = g_utf8_make_valid(messages_json.c_str(), static_cast<gssize>(messages_json.size()));
    GVariantDict arguments;
    g_variant_dict_init(&arguments, nullptr);
    g_variant_dict_insert_value(&arguments, "m", g_variant_new_take_string(text));
    g_variant_dict_insert_value(&arguments, "d", g_variant_new_take_string(g_utf8_make_valid(doc.c_str(), -1)));
    webkit_web_view_call_async_javascript_function(
        view_, kBody, static_cast<gssize>(sizeof kBody - 1), g_variant_dict_end(&arguments), kBridgeWorld,
        nullptr, nullptr, done ? on_delivered : nullptr,
        done ? new std::function<void()>(std::move(done)) : nullptr);
  }

  void evaluate_async(const std::string& script, EvalCallback callback,
                      std::chrono::milliseconds timeout) override {
    auto pending = std::make_shared<PendingEval>();
    pending->callback = std::move(callback);
    pending->document = gate_.document();
    track(pending);
    GVariantDict args;
    g_variant_dict_init(&args, nullptr);
    g_variant_dict_insert(&args, "script", "s", script.c_str());
    pending->timer = g_timeout_add_full(G_PRIORITY_DEFAULT, static_cast<guint>(timeout.count()),
                                        on_eval_timeout, new std::shared_ptr<PendingEval>(pending),
                                        delete_pending);
    std::shared_ptr<GVariant> arguments(g_variant_ref_sink(g_variant_dict_end(&args)), g_variant_unref);
    // The timeout runs from now; the script waits for the document if the view is navigating.
    gate_.run([this, arguments, pending] {
      static const std::string body = evaluation_body();
      webkit_web_view_call_async_javascript_function(
          view_, body.c_str(), static_cast<gssize>(body.size()), arguments.get(), nullptr, nullptr,
          pending->cancellable, on_eval_finished, new std::shared_ptr<PendingEval>(pending));
    });
  }

  void set_size(int width, int height) override {
    if (window_lost_) return;
    if (!docked_) {
      gtk_window_resize(GTK_WINDOW(window_), width, height);
      return;
    }
    // A docked window is a child X window now: GTK's toplevel resize path (configure requests,
    // frozen toplevel updates) does not apply. Resize the X window and lay the view out in it.
    gdk_window_resize(gtk_widget_get_window(window_), width, height);
    GtkAllocation allocation{0, 0, width, height};
    gtk_widget_size_allocate(window_, &allocation);
  }

  void show() override {
    if (!window_lost_) gtk_widget_show_all(window_);
  }
  void hide() override {
    if (!window_lost_) gtk_widget_hide(window_);
  }
  void set_title(const std::string& title) override {
    gtk_window_set_title(GTK_WINDOW(window_), title.c_str());
  }

  bool show_inspector() override {
    if (!webkit_settings_get_enable_developer_extras(webkit_web_view_get_settings(view_))) return false;
    webkit_web_inspector_show(webkit_web_view_get_inspector(view_));
    return true;
  }

  std::uint64_t native_handle() override {
    if (window_lost_) return 0;
    GdkWindow* window = gtk_widget_get_window(window_);
    if (window == nullptr || !GDK_IS_X11_WINDOW(window)) return 0;
    return gdk_x11_window_get_xid(window);
  }

  void save_png(const std::string& path, std::function<void(Result<void>)> done) override {
    auto* request = new SnapshotRequest{path, std::move(done)};
    webkit_web_view_get_snapshot(view_, WEBKIT_SNAPSHOT_REGION_VISIBLE, WEBKIT_SNAPSHOT_OPTIONS_NONE,
                                 nullptr, on_snapshot, request);
  }

 private:
  struct SnapshotRequest {
    std::string path;
    std::function<void(Result<void>)> done;
  };

  static void on_snapshot(GObject* source, GAsyncResult* result, gpointer data) {
    std::unique_ptr<SnapshotRequest> request(static_cast<SnapshotRequest*>(data));
    GError* error = nullptr;
    cairo_surface_t* surface = webkit_web_view_get_snapshot_finish(WEBKIT_WEB_VIEW(source), result, &error);
    if (surface == nullptr) {
      request->done(Error{ErrorCode::kInvalidArgument,
                          std::string("snapshot failed: ") + (error ? error->message : "?"), nullptr});
      g_clear_error(&error);
      return;
    }
    const cairo_status_t status = cairo_surface_write_to_png(surface, request->path.c_str());
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
      request->done(Error{ErrorCode::kInvalidArgument,
                          "cannot write " + request->path + ": " + cairo_status_to_string(status),
                          nullptr});
      return;
    }
    request->done(Result<void>());
  }

  void dock_into(std::uint64_t parent) {
    GdkDisplay* display = gtk_widget_get_display(window_);
    if (!GDK_IS_X11_DISPLAY(display)) {
      log(LogLevel::kError, "WebView: parent windows are X11 window ids; this display is not X11");
      return;
    }
    GdkWindow* foreign = gdk_x11_window_foreign_new_for_display(display, static_cast<Window>(parent));
    if (foreign == nullptr) {
      log(LogLevel::kError, "WebView: parent window " + std::to_string(parent) + " does not exist");
      return;
    }
    gtk_window_set_decorated(GTK_WINDOW(window_), FALSE);
    gdk_window_reparent(gtk_widget_get_window(window_), foreign, 0, 0);
    g_object_unref(foreign);
    docked_ = true;
  }

  static void on_script_message(WebKitUserContentManager*, WebKitJavascriptResult* result,
                                gpointer self) {
    JSCValue* value = webkit_javascript_result_get_js_value(result);
    char* text = jsc_value_to_string(value);
    static_cast<WebKitBackend*>(self)->events_.on_page_message(text ? text : "");
    g_free(text);
  }

  // The window's close button: a graceful close instead of GTK destroying the widgets under us.
  static gboolean on_delete_event(GtkWidget*, GdkEvent*, gpointer self) {
    static_cast<WebKitBackend*>(self)->events_.on_close_requested();
    return TRUE;
  }

  // The X window was destroyed from outside: the host destroyed the window the view was docked
  // into (X destroys child windows with their parent). GTK would then destroy the widgets under us;
  // they stay (the page keeps running) and the view closes gracefully, as if its close button had
  // been pressed. Operations on the window are no-ops from here on.
  static gboolean on_destroy_event(GtkWidget*, GdkEvent*, gpointer self) {
    auto* backend = static_cast<WebKitBackend*>(self);
    if (!std::exchange(backend->window_lost_, true)) {
      log(LogLevel::kWarn, "WebView: its window was destroyed with the window it was docked into; closing");
      backend->events_.on_close_requested();
    }
    return TRUE;
  }

  static void on_web_process_terminated(WebKitWebView*, WebKitWebProcessTerminationReason reason,
                                        gpointer self) {
    const char* text = reason == WEBKIT_WEB_PROCESS_CRASHED                ? "crashed"
                       : reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT ? "exceeded_memory_limit"
                                                                            : "terminated_by_api";
    static_cast<WebKitBackend*>(self)->events_.on_web_process_terminated(text);
  }

  static void on_load_changed(WebKitWebView*, WebKitLoadEvent event, gpointer data) {
    auto* self = static_cast<WebKitBackend*>(data);
    if (event == WEBKIT_LOAD_STARTED) {
      self->gate_.begin();
      self->events_.on_navigation_started();
    } else if (event == WEBKIT_LOAD_FINISHED) {
      self->end_navigation();  // a document without the bridge (or a failed load) says no hello
    }
  }

  // The new document is there: held scripts run, and evaluations left in a replaced document fail now
  // (WebKit would report them seconds later, when it collects that document, as an unreachable
  // completion handler).
  void end_navigation() {
    if (!gate_.end()) return;
    for (auto& weak : in_flight_) {
      auto pending = weak.lock();
      if (!pending || pending->answered || pending->document >= gate_.document()) continue;
      g_cancellable_cancel(pending->cancellable);
      pending->answer(std::nullopt, JsError{"NavigationError", "the page navigated away before the script finished", ""});
    }
    prune_in_flight();
  }
  void track(const std::shared_ptr<PendingEval>& pending) {
    if (in_flight_.size() >= 64) prune_in_flight();
    in_flight_.push_back(pending);
  }
  void prune_in_flight() {
    std::erase_if(in_flight_, [](const std::weak_ptr<PendingEval>& weak) {
      auto pending = weak.lock();
      return !pending || pending->answered;
    });
  }

  BackendEvents& events_;
  ScriptGate gate_;
  std::vector<std::weak_ptr<PendingEval>> in_flight_;  // evaluations given, for end_navigation()
  WebKitUserContentManager* content_ = nullptr;
  WebKitWebView* view_ = nullptr;
  GtkWidget* window_ = nullptr;
  bool docked_ = false;       // reparented into a host's window (dock_into)
  bool window_lost_ = false;  // its X window was destroyed from outside (on_destroy_event)
};

}  // namespace

std::unique_ptr<Backend> create_backend(const WebViewOptions& options, BackendEvents& events,
                                        const std::string& bridge_token) {
  return std::make_unique<WebKitBackend>(options, events, bridge_token);
}

void release_platform_globals() {
  if (g_web_context == nullptr) return;
  g_object_unref(g_web_context);
  g_web_context = nullptr;
}

}  // namespace dccview::webview_detail
