// A Backend for engines whose page answers through the bridge's channel rather than through the
// engine's own evaluation API (internal). Qt WebEngine's runJavaScript cannot await a Promise, so
// an evaluation's outcome comes back as a message of the bridge's privileged half; and Chromium
// runs a script given during a navigation in whichever document it has then. Everything that
// follows from that lives here once, for every such engine (the C++ Qt WebEngine backend, and
// Python web backends through bindings/web_backend.cc):
//   - scripts given while the view navigates wait for the new document (webview/script_gate.h);
//   - every evaluation gets exactly one answer: its outcome, TimeoutError at its deadline (one
//   timer
//     for all, armed for the earliest), NavigationError when its document was replaced,
//     WebProcessError when the page's process ended, ShutdownError when the view goes;
//   - deliveries the page acknowledges (webview/channel_deliveries.h) are released on navigation
//   and
//     on a lost process.
// The engine implements the protected hooks and reports what its page does through the protected
// events. WebView (UI) thread only, like every Backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "webview/backend.h"
#include "webview/channel_deliveries.h"
#include "webview/script_gate.h"

namespace dccview::webview_detail {

class ChannelBackend : public Backend {
 public:
  explicit ChannelBackend(BackendEvents& events);
  // Answers every evaluation still waiting with ShutdownError; drops held scripts and deliveries.
  ~ChannelBackend() override;

  void load_html(const std::string& html, const std::string& base_url) final;
  void load_url(const std::string& url) final;
  void reload() final;
  void evaluate(const std::string& script, std::function<void()> done) final;
  void evaluate_async(const std::string& script, EvalCallback callback,
                      std::chrono::milliseconds timeout) final;
  void deliver(const std::string& doc, const std::string& messages_json,
               std::function<void()> done) final;
  void document_ready() final { end_navigation(); }

 protected:
  // ---- what the engine does (UI thread) ----
  // False once the engine's view is gone (its widget deleted under it): nothing reaches the page.
  virtual bool page_alive() const = 0;
  virtual void navigate_html(const std::string& html, const std::string& base_url) = 0;
  virtual void navigate_url(const std::string& url) = 0;
  virtual void navigate_reload() = 0;
  // Runs `script` in the page's world now; `done`, when given, once the page has run it.
  virtual void run_script(const std::string& script, std::function<void()> done) = 0;
  // Hands messages to the privileged half (webview/channel_deliveries.h); false: no page any more.
  virtual bool send(const std::string& doc, const std::string& messages_json, int ack) = 0;
  // (Re)arms the engine's one evaluation timer: expire_evaluations() after `delay`, replacing the
  // previous arming.
  virtual void arm_expiry(std::chrono::milliseconds delay) = 0;

  // ---- what the engine reports (UI thread) ----
  void load_started();
  void load_finished() { end_navigation(); }
  // "<evaluation id>\n<outcome JSON>", as js/evaluate_by_event.js sends it.
  void evaluation_result(const std::string& text);
  void delivered(int ack) { deliveries_.acknowledged(ack); }
  // `reason`: "crashed", "exceeded_memory_limit" or "terminated_by_api".
  void process_terminated(const std::string& reason);
  void expire_evaluations();

  BackendEvents& events_;

 private:
  struct Pending {
    EvalCallback callback;
    std::int64_t deadline_ns;
    std::uint64_t document;  // ScriptGate::document() when given: the document that runs it
  };
  void end_navigation();
  void answer(const std::string& id, std::optional<std::string> value,
              std::optional<JsError> error);
  void fail_all(const JsError& error);
  void rearm();
  void arm(std::int64_t deadline_ns);

  ScriptGate gate_;
  std::map<std::string, Pending> evals_;
  std::int64_t armed_ns_ = 0;  // the deadline the timer is armed for; 0: not armed
  ChannelDeliveries deliveries_;
};

}  // namespace dccview::webview_detail
