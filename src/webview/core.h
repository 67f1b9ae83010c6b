// src/webview/core.h: the shared state behind a WebView and its proxies (internal).
//
// WebView owns it; proxies hold it weakly. Fields marked "WebView thread only" are touched only by
// tasks running on the WebView thread; the rest are set once in create() or guarded as noted.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "dccview/lock_order.h"
#include "dccview/webview.h"
#include "webview/backend.h"
#include "webview/protocol.h"

namespace dccview {

using webview_detail::Backend;

struct WebView::Core : webview_detail::BackendEvents, std::enable_shared_from_this<Core> {
  explicit Core(WebViewOptions opts) : options(std::move(opts)) {}
  ~Core() override;

  // Creates the view on its thread through `platform` (webview_detail::default_platform() for a
  // WebView). Any thread; blocks until the view exists.
  void create(const webview_detail::Platform& platform);
  bool post(std::function<void()> fn);
  // Runs `op` on the backend on the WebView thread; kShutdown once closed.
  Result<void> run_on_view(const char* what, std::function<void(Backend&)> op);
  // Loads content and, under the default policy, allows its origin to call handlers.
  Result<void> load_html(std::string html, std::string base_url);
  Result<void> load_url(std::string url);
  Result<void> reload();
  void finalize();  // WebView thread

  // BackendEvents (WebView thread)
  void on_page_message(const std::string& text) override;
  void on_navigation_started() override {
    page_ready = false;
    batch_in_flight = false;  // a new document: its first batch goes out when its bridge says hello
  }
  void on_web_process_terminated(const std::string& reason) override;
  void on_close_requested() override { close(); }

  bool origin_allowed(const std::string& origin) const;  // WebView thread
  // WebView thread: a new document's bridge said hello; it becomes the document answers go to.
  void handle_hello(const protocol::Envelope& sender);
  void handle_incoming(const protocol::Incoming& message, const protocol::Envelope& sender);
  void handle_call(const protocol::Call& call, const std::string& doc);
  void handle_emit(const protocol::Emit& emit);
  std::shared_ptr<const Handler> find_handler(const std::string& name);
  // Any thread: answers call `id` of document `doc`; dropped when that document is gone. `handoff`,
  // when the WebView thread may be waiting for this answer (handle_call).
  void answer(const std::string& doc, std::uint64_t id, const std::string& message,
              std::atomic<int>* handoff = nullptr);
  // Any thread: answers call `id` of document `doc` with an error named `name` (docs/protocol.md).
  void refuse(const std::string& doc, std::uint64_t id, const std::string& name, const std::string& reason);
  // States of that handoff.
  static constexpr int kNotWaiting = 0, kWaiting = 1, kAnswered = 2, kGaveUp = 3;
  void flush_emits();                                        // WebView thread
  struct PendingBatch {
    std::string entries;  // comma-separated event, data pairs
    std::string answers;  // messages answering page calls, each followed by a comma
    std::string doc;      // the document the answers are for
  };
  struct QueuedOp;
  bool post_op(std::function<void()> op);  // any thread: an operation after the emits before it
  void deliver_answers_now();          // WebView thread: answers (and the emits before them) now
  void deliver(PendingBatch& batch);   // WebView thread, right before that operation
  // WebView thread: hands a message list to the page, to document `doc` (see Backend::deliver).
  void send_to_page(const std::string& doc, const std::string& messages, std::function<void()> done = {});
  void deliver_batches_through(std::uint64_t seq);  // WebView thread: operations' emits, in order

  Result<void> emit(const std::string& event, const std::string& data_json);
  Result<std::string> eval_sync(const std::string& script, std::chrono::milliseconds timeout);
  Result<void> eval_async(std::string script, EvalCallback callback, std::chrono::milliseconds timeout);
  void close();

  // At most 2^31 - 1 ms (24.8 days, the longest a GLib or Qt timer waits: a longer one wrapped and
  // fired at once), at least 0.
  std::chrono::milliseconds eval_timeout(std::optional<std::chrono::milliseconds> t) const {
    constexpr std::chrono::milliseconds kLongest{0x7fffffff};
    return std::clamp(t.value_or(options.config.js_eval_timeout()), std::chrono::milliseconds(0), kLongest);
  }

  const WebViewOptions options;
  std::shared_ptr<Dispatcher> gtk;  // the WebView thread
  bool dedicated = false;           // gtk is dccview's own WebView thread (set once in create())
  std::shared_ptr<Dispatcher> ui;   // this view's queue on it (shutdown accounting); set once
  std::unique_ptr<Backend> backend;  // WebView thread only
  bool page_ready = false;           // WebView thread only
  bool batch_in_flight = false;      // WebView thread only: the page is still running a batch
  // WebView thread only: a page message is being routed; answers made meanwhile leave together
  // when it is done (one delivery per page message, however many calls it held).
  bool routing = false;
  std::string bridge_token;          // set once in create(); never reaches the page's script world
  std::set<std::string> loaded_origins;  // WebView thread only: what the application loaded
  std::function<void(Backend&)> last_load;  // WebView thread only: replayed by reload() after a crash
  std::string html_url;  // WebView thread only: the URL a load_html page shows ("" after load_url)
  bool process_lost = false;                // WebView thread only
  std::atomic<bool> closed{false};

  CheckedMutex handlers_mutex{"dccview.webview.handlers", LockLevel::kState, kLeaf};
  std::unordered_map<std::string, std::shared_ptr<const Handler>> handlers
      DCCVIEW_GUARDED_BY(handlers_mutex);
  // Names the page called before a handler existed (at most kMaxMissedHandlers): registering one
  // later says that its early calls were answered NotFoundError.
  std::set<std::string> missed_handlers DCCVIEW_GUARDED_BY(handlers_mutex);
  static constexpr std::size_t kMaxMissedHandlers = 64;

  CheckedMutex emit_mutex{"dccview.webview.emits", LockLevel::kState, kLeaf};
  // Comma-separated event, data pairs (a flat list).
  std::string pending_emits DCCVIEW_GUARDED_BY(emit_mutex);
  // Messages answering page calls, each followed by a comma.
  std::string pending_answers DCCVIEW_GUARDED_BY(emit_mutex);
  // The document pending_answers are for (its bridge's last hello). Written on the WebView thread
  // under emit_mutex; that thread reads it without (view_thread_doc()).
  std::string current_doc DCCVIEW_GUARDED_BY(emit_mutex);
  // current_doc, read on the WebView thread, its only writer: no lock needed (the analysis cannot
  // tell threads apart, hence its exemption).
  const std::string& view_thread_doc() const DCCVIEW_NO_THREAD_SAFETY_ANALYSIS {
    return current_doc;
  }
  // That hello's sender (WebView thread only): its later messages may name it by its id alone.
  protocol::Envelope hello_sender;
  bool flush_scheduled DCCVIEW_GUARDED_BY(emit_mutex) = false;
  // An answer delivery is posted (answers skip the pacing).
  bool answer_flush_scheduled DCCVIEW_GUARDED_BY(emit_mutex) = false;
  int queued_ops DCCVIEW_GUARDED_BY(emit_mutex) = 0;  // operations posted with their emits, not run yet
  std::uint64_t op_seq = 0;             // numbers the operations in the order they took their emits
  std::deque<std::pair<std::uint64_t, PendingBatch>> op_batches;  // their emits, oldest first
  std::atomic<int> calls_on_main{0};    // dcc_mode calls posted to the main thread, not answered yet
};

}  // namespace dccview
