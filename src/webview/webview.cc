// WebView and WebViewProxy: the public API over WebView::Core (src/webview/core.h).
#include "dccview/webview.h"

#include <optional>

#include "core/wait.h"
#include "dccview/detail/task.h"
#include "dccview/dispatcher.h"
#include "dccview/log.h"
#include "webview/core.h"

namespace dccview {

// ---- WebView ------------------------------------------------------------------------------------

WebView::WebView(WebViewOptions options, const webview_detail::Platform& platform)
    : core_(std::make_shared<Core>(std::move(options))) {
  core_->create(platform);
}

WebView::~WebView() { core_->close(); }

namespace {
// WebView's own methods return nothing: an operation refused after close is logged, not lost.
void warn_if_refused(const Result<void>& result) {
  if (!result.ok()) log(LogLevel::kWarn, "WebView::" + result.error().message);
}
}  // namespace

void WebView::load_html(std::string html, std::string base_url) {
  warn_if_refused(core_->load_html(std::move(html), std::move(base_url)));
}

void WebView::load_url(std::string url) { warn_if_refused(core_->load_url(std::move(url))); }

void WebView::reload() { warn_if_refused(core_->reload()); }

void WebView::eval_js(std::string script) {
  warn_if_refused(core_->run_on_view("eval_js", [script = std::move(script)](Backend& b) { b.evaluate(script); }));
}

void WebView::eval_js_async(std::string script, const EvalCallback& callback,
                            std::optional<std::chrono::milliseconds> timeout) {
  auto result = core_->eval_async(std::move(script), callback, core_->eval_timeout(timeout));
  if (!result.ok() && callback) callback(std::nullopt, JsError{"ShutdownError", result.error().message, ""});
}

Result<std::string> WebView::eval_js_sync(const std::string& script,
                                          std::optional<std::chrono::milliseconds> timeout) {
  return core_->eval_sync(script, core_->eval_timeout(timeout));
}

Result<void> WebView::emit(const std::string& event, const std::string& data_json) {
  return core_->emit(event, data_json);
}

void WebView::on(const std::string& name, Handler handler) {
  auto shared = std::make_shared<const Handler>(std::move(handler));
  bool called_before = false;
  {
    CheckedLock lock(core_->handlers_mutex);
    called_before = core_->missed_handlers.erase(name) != 0;
    core_->handlers[name] = std::move(shared);
  }
  if (called_before) {  // logged outside the lock: the log sink may be Python
    log(LogLevel::kWarn, "WebView: handler '" + name + "' was registered after the page called it; those " +
                             "calls were answered NotFoundError: register handlers before loading the page");
  }
}

void WebView::show() {
  warn_if_refused(core_->run_on_view("show", [](Backend& b) { b.show(); }));
}

void WebView::hide() {
  warn_if_refused(core_->run_on_view("hide", [](Backend& b) { b.hide(); }));
}

void WebView::set_size(int width, int height) {
  warn_if_refused(core_->run_on_view("set_size", [width, height](Backend& b) { b.set_size(width, height); }));
}

void WebView::set_title(std::string title) {
  warn_if_refused(
      core_->run_on_view("set_title", [title = std::move(title)](Backend& b) { b.set_title(title); }));
}

std::uint64_t WebView::native_handle() {
  auto handle = core_->gtk->try_call([c = core_] { return c->backend ? c->backend->native_handle() : 0; },
                                     std::chrono::seconds(10), "native_handle");
  return handle.ok() ? handle.value() : 0;
}

Result<void> WebView::show_inspector() {
  auto shown = core_->gtk->try_call(
      [c = core_]() -> int { return c->backend ? (c->backend->show_inspector() ? 1 : 0) : -1; },
      std::chrono::seconds(10), "show_inspector");
  if (!shown.ok()) return shown.error();
  if (shown.value() < 0) return Error{ErrorCode::kShutdown, "show_inspector: the WebView is closed", nullptr};
  if (shown.value() == 0) {
    return Error{ErrorCode::kInvalidArgument,
                 "show_inspector: the view was created without debug=true (the inspector is off)", nullptr};
  }
  return Result<void>();
}

Result<void> WebView::save_screenshot(const std::string& png_path, std::chrono::milliseconds timeout) {
  struct State {
    detail::Completion done;
    Result<void> result;
  };
  auto state = std::make_shared<State>();
  const bool posted = core_->post([c = core_.get(), state, png_path] {
    if (!c->backend) {
      state->result = Error{ErrorCode::kShutdown, "the WebView is closed", nullptr};
      state->done.set();
      return;
    }
    c->backend->save_png(png_path, [state](Result<void> r) {
      state->result = std::move(r);
      state->done.set();
    });
  });
  if (!posted) return Error{ErrorCode::kShutdown, "save_screenshot: the WebView is closed", nullptr};
  std::optional<detail::SyncWait> wait;
  try {
    static const std::string kLabel = "save_screenshot";  // the wait keeps a reference to it
    wait.emplace(*core_->gtk, kLabel, state->done);
  } catch (const DeadlockDetectedError& e) {
    return Error{ErrorCode::kDeadlock, e.what(), nullptr};
  }
  if (!wait->wait(state->done, detail::deadline_after_ns(std::chrono::nanoseconds(timeout).count()))) {
    return Error{ErrorCode::kTimeout, "save_screenshot timed out", nullptr};
  }
  return state->result;
}

void WebView::close() { core_->close(); }

bool WebView::is_closed() const noexcept { return core_->closed.load(std::memory_order_acquire); }

ThreadMode WebView::thread_mode() const noexcept { return core_->dedicated ? ThreadMode::kDedicated : ThreadMode::kHost; }

WebViewProxy WebView::get_proxy() const { return WebViewProxy(core_); }

// ---- WebViewProxy -------------------------------------------------------------------------------

namespace {
Error closed_error(const char* what) {
  return Error{ErrorCode::kShutdown, std::string("WebViewProxy::") + what + ": the WebView is closed",
               nullptr};
}
}  // namespace

Result<void> WebViewProxy::eval_js(std::string script) const {
  auto core = core_.lock();
  if (!core) return closed_error("eval_js");
  return core->run_on_view("WebViewProxy::eval_js",
                           [script = std::move(script)](Backend& b) { b.evaluate(script); });
}

Result<void> WebViewProxy::eval_js_async(std::string script, EvalCallback callback,
                                         std::optional<std::chrono::milliseconds> timeout) const {
  auto core = core_.lock();
  if (!core) return closed_error("eval_js_async");
  return core->eval_async(std::move(script), std::move(callback), core->eval_timeout(timeout));
}

Result<std::string> WebViewProxy::eval_js_sync(const std::string& script,
                                               std::optional<std::chrono::milliseconds> timeout) const {
  auto core = core_.lock();
  if (!core) return closed_error("eval_js_sync");
  return core->eval_sync(script, core->eval_timeout(timeout));
}

Result<void> WebViewProxy::emit(const std::string& event, const std::string& data_json) const {
  auto core = core_.lock();
  if (!core) return closed_error("emit");
  return core->emit(event, data_json);
}

Result<void> WebViewProxy::load_url(std::string url) const {
  auto core = core_.lock();
  if (!core) return closed_error("load_url");
  return core->load_url(std::move(url));
}

Result<void> WebViewProxy::load_html(std::string html, std::string base_url) const {
  auto core = core_.lock();
  if (!core) return closed_error("load_html");
  return core->load_html(std::move(html), std::move(base_url));
}

Result<void> WebViewProxy::reload() const {
  auto core = core_.lock();
  if (!core) return closed_error("reload");
  return core->reload();
}

Result<void> WebViewProxy::close() const {
  auto core = core_.lock();
  if (!core || core->closed.load(std::memory_order_acquire)) return closed_error("close");
  core->close();
  return Result<void>();
}

}  // namespace dccview
