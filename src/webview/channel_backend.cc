// See channel_backend.h.
#include "webview/channel_backend.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

#include "core/wait.h"
#include "webview/protocol.h"

namespace dccview::webview_detail {

extern const char kEvaluateJs[];         // js/evaluate.js
extern const char kEvaluateByEventJs[];  // js/evaluate_by_event.js

namespace {

// js/evaluate_by_event.js around js/evaluate.js: the engine cannot await a Promise, so the outcome
// comes back through an event the privileged half forwards. Call it as (id, script).
const std::string& evaluation_by_event() {
  static const std::string script = [] {
    std::string by_event = kEvaluateByEventJs;
    const std::string placeholder = "__DCCVIEW_EVALUATE__";
    by_event.replace(by_event.find(placeholder), placeholder.size(), kEvaluateJs);
    return by_event;
  }();
  return script;
}

// An id the page cannot guess (it could otherwise answer another evaluation in its place).
std::string new_evaluation_id() {
  thread_local std::mt19937_64 random{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                                      std::random_device{}()};
  char id[33];
  std::snprintf(id, sizeof id, "%016" PRIx64 "%016" PRIx64, random(), random());
  return id;
}

}  // namespace

ChannelBackend::ChannelBackend(BackendEvents& events)
    : events_(events),
      deliveries_([this](const std::string& doc, const std::string& messages, int ack) {
        return page_alive() && send(doc, messages, ack);
      }) {}

ChannelBackend::~ChannelBackend() {
  deliveries_.drop_all();  // the core is going: nothing waits for these
  gate_.drop();
  fail_all(JsError{"ShutdownError", "the WebView was closed before the script finished", ""});
}

void ChannelBackend::load_html(const std::string& html, const std::string& base_url) {
  if (!page_alive()) return;
  gate_.begin();
  navigate_html(html, base_url);
}

void ChannelBackend::load_url(const std::string& url) {
  if (!page_alive()) return;
  gate_.begin();
  navigate_url(url);
}

void ChannelBackend::reload() {
  if (!page_alive()) return;
  gate_.begin();
  navigate_reload();
}

void ChannelBackend::evaluate(const std::string& script, std::function<void()> done) {
  gate_.run([this, script, done = std::move(done)]() mutable {
    if (page_alive()) {
      run_script(script, std::move(done));
    } else if (done) {
      done();
    }
  });
}

void ChannelBackend::evaluate_async(const std::string& script, EvalCallback callback,
                                    std::chrono::milliseconds timeout) {
  if (!page_alive()) {
    callback(std::nullopt, JsError{"ShutdownError", "the WebView's widget was deleted", ""});
    return;
  }
  const std::string id = new_evaluation_id();
  const std::int64_t deadline =
      detail::deadline_after_ns(std::chrono::nanoseconds(timeout).count());
  evals_.emplace(id, Pending{std::move(callback), deadline, gate_.document()});
  if (armed_ns_ == 0 || deadline < armed_ns_) arm(deadline);
  gate_.run([this, call = evaluation_by_event() + "(" + protocol::quote(id) + "," +
                          protocol::quote(script) + ")"] {
    if (page_alive()) run_script(call, nullptr);
  });
}

void ChannelBackend::deliver(const std::string& doc, const std::string& messages_json,
                             std::function<void()> done) {
  deliveries_.deliver(doc, messages_json, std::move(done));
}

void ChannelBackend::load_started() {
  gate_.begin();
  deliveries_.release_all();
  events_.on_navigation_started();
}

void ChannelBackend::evaluation_result(const std::string& text) {
  const auto newline = text.find('\n');
  if (newline == std::string::npos) return;
  const std::string id = text.substr(0, newline);
  if (evals_.find(id) == evals_.end()) return;  // answered already (timed out), or not ours
  auto outcome = protocol::read_evaluation_outcome(text.substr(newline + 1));
  if (outcome.value_json) {
    answer(id, std::move(outcome.value_json), std::nullopt);
  } else {
    answer(id, std::nullopt,
           JsError{outcome.error_name, outcome.error_message, outcome.error_stack});
  }
}

void ChannelBackend::process_terminated(const std::string& reason) {
  fail_all(JsError{
      kWebProcessErrorName,
      "the web process running the page ended before the script finished (" + reason + ")", ""});
  deliveries_.release_all();
  events_.on_web_process_terminated(reason);
}

void ChannelBackend::expire_evaluations() {
  armed_ns_ = 0;
  const std::int64_t now = detail::now_ns();
  std::vector<std::string> due;
  for (const auto& [id, pending] : evals_) {
    if (pending.deadline_ns <= now) due.push_back(id);
  }
  for (const auto& id : due)
    answer(id, std::nullopt, JsError{"TimeoutError", "evaluation timed out", ""});
  rearm();
}

// Evaluations left in a document the view navigated away from never answer (see
// webview/script_gate.h): they fail when the new document arrives instead of waiting out their
// timeouts.
void ChannelBackend::end_navigation() {
  if (!page_alive() || !gate_.end()) return;
  std::vector<std::string> gone;
  for (const auto& [id, pending] : evals_) {
    if (pending.document < gate_.document()) gone.push_back(id);
  }
  for (const auto& id : gone) {
    answer(id, std::nullopt,
           JsError{"NavigationError", "the page navigated away before the script finished", ""});
  }
}

void ChannelBackend::answer(const std::string& id, std::optional<std::string> value,
                            std::optional<JsError> error) {
  auto found = evals_.find(id);
  if (found == evals_.end()) return;
  EvalCallback callback = std::move(found->second.callback);
  evals_.erase(found);
  callback(std::move(value), std::move(error));
}

void ChannelBackend::fail_all(const JsError& error) {
  auto evals = std::exchange(evals_, {});
  for (auto& [id, pending] : evals) pending.callback(std::nullopt, error);
}

// The timer stays armed for the earliest deadline there was; an evaluation answered before it
// leaves the timer to fire, find nothing due, and arm for the next.
void ChannelBackend::rearm() {
  if (evals_.empty()) return;
  std::int64_t earliest = INT64_MAX;
  for (const auto& [id, pending] : evals_) earliest = std::min(earliest, pending.deadline_ns);
  arm(earliest);
}

void ChannelBackend::arm(std::int64_t deadline_ns) {
  if (!page_alive()) return;
  armed_ns_ = deadline_ns;
  // At most what a Qt timer can wait (2^31 - 1 ms); a later deadline is looked at again then.
  constexpr std::int64_t kLongestWaitMs = 0x7fffffff;
  const std::int64_t wait_ns = std::max<std::int64_t>(0, deadline_ns - detail::now_ns());
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::nanoseconds(wait_ns));
  arm_expiry(std::chrono::milliseconds(std::min<std::int64_t>(wait.count(), kLongestWaitMs)));
}

}  // namespace dccview::webview_detail
