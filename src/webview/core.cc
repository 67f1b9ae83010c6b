// The platform-neutral WebView: operations marshaled to the WebView thread, the page protocol,
// handler dispatch (WebView thread or, in dcc_mode, the main thread), coalesced emits and answers,
// origin policy, graceful close.
#include "webview/core.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <typeinfo>
#include <vector>

#include "core/wait.h"
#include "dccview/detail/task.h"
#include "dccview/dispatcher.h"
#include "dccview/log.h"
#include "webview/protocol.h"

namespace dccview {

namespace {

// How long the WebView thread waits for a dcc_mode handler's answer before going back to its loop.
constexpr std::int64_t kAnswerSpinNs = 200'000;

// Answers an evaluation's callback exactly once: with the page's outcome, or with a ShutdownError
// when the queued evaluation is destroyed unrun at close, so that no caller (an eval_js_sync waiter,
// a Python callback) is left to its timeout or silently forgotten.
class AnswerOnce {
 public:
  explicit AnswerOnce(EvalCallback callback) noexcept : callback_(std::move(callback)) {}
  AnswerOnce(const AnswerOnce&) = delete;
  AnswerOnce& operator=(const AnswerOnce&) = delete;
  ~AnswerOnce() {
    if (!callback_) return;
    try {
      callback_(std::nullopt, JsError{"ShutdownError", "the WebView was closed before the script ran", ""});
    } catch (...) {
      detail::report_escaped_exception("eval_js_async callback");
    }
  }
  // Hands the callback over (to the page evaluation); afterwards the destructor answers nothing.
  EvalCallback take() noexcept { return std::exchange(callback_, nullptr); }

 private:
  EvalCallback callback_;
};

std::string exception_type_name() {
  try {
    throw;
  } catch (const HandlerError& e) {
    return e.type_name();
  } catch (const std::exception& e) {
    return detail::type_label(typeid(e));
  } catch (...) {
    return "unknown";
  }
}

// Runs a handler with the page's params; returns the message that answers call `id`.
std::string run_handler(const Handler& handler, std::uint64_t id, const std::string& params) {
  try {
    const std::string result = handler(params);
    if (auto normalized = protocol::normalize_json(result)) return protocol::result_message(id, *normalized);
    return protocol::error_message(id, "HandlerError", "the handler returned invalid JSON");
  } catch (const std::exception& e) {
    return protocol::error_message(id, "HandlerError", e.what(),
                                   "{\"type\":" + protocol::quote(exception_type_name()) + "}");
  } catch (...) {
    return protocol::error_message(id, "HandlerError", "the handler threw a non-std::exception object",
                                   "{\"type\":\"unknown\"}");
  }
}

}  // namespace

void WebView::Core::create(const webview_detail::Platform& platform) {
  if (options.dcc_mode && !options.main_dispatcher) {
    throw std::invalid_argument("dccview: dcc_mode needs WebViewOptions::main_dispatcher");
  }
  std::random_device entropy;
  for (int i = 0; i < 4; ++i) bridge_token += std::to_string(entropy()) + "-";
  gtk = platform.thread_for(options.thread_mode);
  dedicated = platform.is_dedicated && platform.is_dedicated(gtk);
  auto created = gtk->try_call([this, &platform] {
    ui = std::make_shared<Dispatcher>(options.config, QueueOptions{}, "WebView-thread");
    platform.install_view_loop(ui);
    backend = platform.create_backend(options, *this, bridge_token);
  }, std::chrono::seconds(30), "create WebView");
  created.value();
}

WebView::Core::~Core() {
  // The view's dispatcher owns a GSource: let it die on the WebView thread (or here, once that
  // thread is gone and the context no longer runs).
  if (ui && gtk) gtk->post([doomed = std::move(ui)]() mutable { doomed.reset(); }, "destroy view queue");
}

bool WebView::Core::post(std::function<void()> fn) {
  return !closed.load(std::memory_order_acquire) && ui->post(std::move(fn));
}

Result<void> WebView::Core::run_on_view(const char* what, std::function<void(Backend&)> op) {
  if (post_op([this, op = std::move(op)] {
        if (backend) op(*backend);
      })) {
    return Result<void>();
  }
  return Error{ErrorCode::kShutdown, std::string(what) + ": the WebView is closed", nullptr};
}

// Counts an operation from the moment it takes the waiting emits until it has run (or was destroyed
// unrun at close): while any is queued, flushes leave newer emits alone (see post_op).
struct WebView::Core::QueuedOp {
  explicit QueuedOp(Core& c) : core(c) {}
  ~QueuedOp() {
    CheckedLock lock(core.emit_mutex);
    --core.queued_ops;
  }
  QueuedOp(const QueuedOp&) = delete;
  QueuedOp& operator=(const QueuedOp&) = delete;
  Core& core;
};

bool WebView::Core::post_op(std::function<void()> op) {
  std::uint64_t seq = 0;
  {
    CheckedLock lock(emit_mutex);
    seq = ++op_seq;
    PendingBatch& taken = op_batches.emplace_back(seq, PendingBatch{}).second;
    taken.entries.swap(pending_emits);
    taken.answers.swap(pending_answers);
    taken.doc = current_doc;
    ++queued_ops;
  }
  auto ticket = std::make_shared<QueuedOp>(*this);
  return post([this, op = std::move(op), seq, ticket]() mutable {
    deliver_batches_through(seq);  // emits made before this operation reach the page before it
    op();
    ticket.reset();
    flush_emits();  // emits that waited behind this operation
  });
}

// Two threads' operations can reach the queue in the other order than they took the waiting emits
// (one thread takes a batch that holds another thread's emit, then is overtaken by that thread's
// next operation). Running an operation therefore first delivers every batch taken before its own,
// oldest first: whoever took an emit, it reaches the page before any later operation of its thread.
void WebView::Core::deliver_batches_through(std::uint64_t seq) {
  std::vector<PendingBatch> due;
  {
    CheckedLock lock(emit_mutex);
    while (!op_batches.empty() && op_batches.front().first <= seq) {
      due.push_back(std::move(op_batches.front().second));
      op_batches.pop_front();
    }
  }
  if (!backend) return;
  if (page_ready) {
    for (auto& batch : due) deliver(batch);
  } else {  // each goes back to the front of the waiting emits: newest first keeps them in order
    for (auto it = due.rbegin(); it != due.rend(); ++it) deliver(*it);
  }
}

bool WebView::Core::origin_allowed(const std::string& origin) const {
  if (options.allowed_origins.empty()) return loaded_origins.count(origin) != 0;
  return std::find(options.allowed_origins.begin(), options.allowed_origins.end(), origin) !=
         options.allowed_origins.end();
}

Result<void> WebView::Core::load_html(std::string html, std::string base_url) {
  return run_on_view("load_html", [this, html = std::move(html), base = std::move(base_url)](Backend& b) {
    loaded_origins.insert(protocol::origin_of(base));
    last_load = [html, base](Backend& view) { view.load_html(html, base); };
    last_load(b);
    html_url = base.empty() ? "about:blank" : base;
  });
}

Result<void> WebView::Core::load_url(std::string url) {
  return run_on_view("load_url", [this, url = std::move(url)](Backend& b) {
    loaded_origins.insert(protocol::origin_of(url));
    last_load = [url](Backend& view) { view.load_url(url); };
    last_load(b);
    html_url.clear();
  });
}

// WebKit reloads content given as a string as an empty about:blank page (and a base URL would be
// fetched from the network), and after the web process died it has nothing to reload: in both cases
// the last load is replayed. A page the user navigated away from is reloaded by WebKit.
Result<void> WebView::Core::reload() {
  return run_on_view("reload", [this](Backend& b) {
    const bool showing_html = !html_url.empty() && b.current_url() == html_url;
    if ((process_lost || showing_html) && last_load) {
      process_lost = false;
      last_load(b);
    } else {
      b.reload();
    }
  });
}

// Only the bridge's privileged half can post here (see js/bridge_world.js): anything without this
// view's token is dropped unanswered, since whatever sent it is not a page this view answers. A
// message from a document other than the one that said hello last is stale (its document is gone).
void WebView::Core::on_page_message(const std::string& text) {
  const auto sender = protocol::open_envelope(text, bridge_token, hello_sender);
  if (!sender) {
    log(LogLevel::kWarn, "WebView: dropped a page message not sent by this view's bridge (not answered)");
    return;
  }
  const auto messages = protocol::parse_all(sender->payload, options.max_payload_bytes);
  if (messages.size() == 1 && std::holds_alternative<protocol::Hello>(messages.front())) {
    handle_hello(*sender);
    return;
  }
  if (sender->doc != view_thread_doc()) {
    log(LogLevel::kDebug, "WebView: dropped a message from a document that is gone");
    return;
  }
  routing = true;
  for (const auto& message : messages) {
    if (!backend) break;  // a handler closed the view
    handle_incoming(message, *sender);
  }
  routing = false;
  if (backend) deliver_answers_now();
}

void WebView::Core::handle_hello(const protocol::Envelope& sender) {
  backend->document_ready();
  hello_sender = protocol::Envelope{sender.doc, sender.origin, {}};
  {
    CheckedLock lock(emit_mutex);
    current_doc = sender.doc;
    // The answers still waiting were for the document before (it is gone); "ready" goes first.
    pending_answers = protocol::ready_message(options.max_payload_bytes) + ",";
  }
  page_ready = true;
  deliver_answers_now();
  flush_emits();
}

void WebView::Core::handle_incoming(const protocol::Incoming& message, const protocol::Envelope& sender) {
  if (std::holds_alternative<protocol::Hello>(message)) return;  // a batch item: not a document's hello
  if (const auto* invalid = std::get_if<protocol::Invalid>(&message)) {
    log(LogLevel::kWarn, "WebView: refused a page message: " + invalid->reason);
    if (invalid->id) refuse(sender.doc, *invalid->id, invalid->name, invalid->reason);
    return;
  }
  const auto* call = std::get_if<protocol::Call>(&message);
  const auto* emitted = std::get_if<protocol::Emit>(&message);
  const std::string& name = call ? call->method : emitted->event;
  if (!origin_allowed(sender.origin)) {
    log(LogLevel::kWarn, "WebView: refused a page message from origin " + sender.origin +
                             " (not an allowed origin)");
    if (call) {
      refuse(sender.doc, call->id, "OriginError", "calls from origin " + sender.origin + " are not accepted");
    }
    return;
  }
  if (protocol::is_reserved_name(name)) {
    const std::string reason = "'" + name + "' is a name dccview keeps for its own events";
    log(LogLevel::kWarn, "WebView: refused a page " + std::string(call ? "call" : "emit") + ": " + reason);
    if (call) refuse(sender.doc, call->id, "ReservedNameError", reason);
    return;
  }
  if (call) {
    handle_call(*call, sender.doc);
  } else {
    handle_emit(*emitted);
  }
}

// The page is gone with its pending calls; WebKit fails the pending evaluations. Native code hears
// of it through the handler registered for kWebProcessTerminated; reload() brings the page back.
void WebView::Core::on_web_process_terminated(const std::string& reason) {
  log(LogLevel::kError, "WebView: the web process ended (" + reason + "); reload() restarts it");
  process_lost = true;
  on_navigation_started();
  handle_emit(protocol::Emit{kWebProcessTerminatedEvent, "{\"reason\":" + protocol::quote(reason) + "}"});
}

std::shared_ptr<const Handler> WebView::Core::find_handler(const std::string& name) {
  CheckedLock lock(handlers_mutex);
  auto it = handlers.find(name);
  return it == handlers.end() ? nullptr : it->second;
}

void WebView::Core::handle_call(const protocol::Call& call, const std::string& doc) {
  auto handler = find_handler(call.method);
  if (!handler) {
    log(LogLevel::kWarn, "WebView: the page called '" + call.method + "', which has no handler: register it " +
                             "with on('" + call.method + "') before loading the page (answered NotFoundError)");
    {
      CheckedLock lock(handlers_mutex);
      if (missed_handlers.size() < kMaxMissedHandlers) missed_handlers.insert(call.method);
    }
    refuse(doc, call.id, "NotFoundError", "no handler named '" + call.method + "'");
    return;
  }
  if (!options.dcc_mode || options.main_dispatcher->is_main_thread()) {
    // Without dcc_mode, or in host mode where this thread is the main thread: run it here, now (a
    // trip through the host's main-thread queue would only add the host's latency).
    answer(doc, call.id, run_handler(*handler, call.id, call.params_json));
    return;
  }
  std::weak_ptr<Core> weak = weak_from_this();
  const bool alone = calls_on_main.fetch_add(1, std::memory_order_relaxed) == 0;
  // A lone quick handler answers within microseconds once the main thread is awake: this thread
  // waits that long for it and delivers the answer itself, which saves waking its own loop (a system
  // call on the main thread, then a loop turn here). With other calls queued on the main thread,
  // waiting would only hold up the next messages; in host mode the main thread is this one.
  const bool wait_here = alone && !options.main_dispatcher->is_main_thread();
  auto handoff = std::make_shared<std::atomic<int>>(wait_here ? kWaiting : kNotWaiting);
  const bool posted = options.main_dispatcher->post_servable(
      [weak, handler, call, doc, handoff] {
        const std::string message = run_handler(*handler, call.id, call.params_json);
        if (auto core = weak.lock()) {
          core->answer(doc, call.id, message, handoff.get());
          core->calls_on_main.fetch_sub(1, std::memory_order_relaxed);
        }
      },
      "WebView handler (dcc_mode)");
  if (!posted) {
    calls_on_main.fetch_sub(1, std::memory_order_relaxed);
    refuse(doc, call.id, "ShutdownError", "the main thread is shutting down");
    return;
  }
  if (!wait_here) return;
  const bool answered = detail::spin_until(
      [&] { return handoff->load(std::memory_order_acquire) == kAnswered; }, kAnswerSpinNs);
  int expected = kWaiting;
  // Giving up tells answer() to wake this loop instead; an answer that came meanwhile is ours (and
  // leaves with the page message's other answers when routing one).
  const bool ours = answered || !handoff->compare_exchange_strong(expected, kGaveUp, std::memory_order_acq_rel);
  if (ours && !routing) deliver_answers_now();
}

void WebView::Core::handle_emit(const protocol::Emit& emitted) {
  auto handler = find_handler(emitted.event);
  if (!handler) return;  // an event nobody listens to
  auto run = [handler, emitted] {
    try {
      (*handler)(emitted.data_json);
    } catch (...) {
      detail::report_escaped_exception("WebView event handler '" + emitted.event + "'");
    }
  };
  if (!options.dcc_mode || options.main_dispatcher->is_main_thread()) {
    run();
  } else if (!options.main_dispatcher->post_servable(std::move(run), "WebView event (dcc_mode)")) {
    log(LogLevel::kWarn, "WebView: event '" + emitted.event + "' refused: the main thread is shutting down");
  }
}

// Answers travel with the emits waiting before them (so a handler's emits arrive before its answer),
// and many calls answered together become one evaluation. They do not wait for the batch in flight:
// a page waits on each answer, while emit floods are what the one-batch pacing is for.
void WebView::Core::answer(const std::string& doc, std::uint64_t id, const std::string& message,
                           std::atomic<int>* handoff) {
  bool schedule = false, document_gone = false;
  {
    CheckedLock lock(emit_mutex);
    document_gone = doc != current_doc;  // its ids may be reused by the document there is now
    if (!document_gone) {
      pending_answers += message;
      pending_answers += ',';
      schedule = !std::exchange(answer_flush_scheduled, true);
    }
  }
  if (document_gone) {
    log(LogLevel::kDebug, "WebView: answer to call " + std::to_string(id) + " dropped: its document is gone");
    return;
  }
  if (gtk->is_main_thread()) {  // a handler that ran here: answer without another loop turn
    if (!routing) deliver_answers_now();  // else with the page message's other answers
    return;
  }
  int expected = kWaiting;
  if (handoff != nullptr &&
      handoff->compare_exchange_strong(expected, kAnswered, std::memory_order_acq_rel)) {
    return;  // the WebView thread is waiting for this answer and delivers it (handle_call)
  }
  if (schedule && !post([this] { deliver_answers_now(); })) {
    log(LogLevel::kDebug, "WebView: answer to call " + std::to_string(id) + " dropped: the view is closed");
  }
}

void WebView::Core::refuse(const std::string& doc, std::uint64_t id, const std::string& name,
                           const std::string& reason) {
  answer(doc, id, protocol::error_message(id, name, reason));
}

Result<void> WebView::Core::emit(const std::string& event, const std::string& data_json) {
  if (closed.load(std::memory_order_acquire)) {
    return Error{ErrorCode::kShutdown, "emit('" + event + "'): the WebView is closed", nullptr};
  }
  // Encoded outside the lock (the common, plain case is cheap; see protocol::append_event).
  std::string entry;
  if (!protocol::append_event(entry, event, data_json)) {
    return Error{ErrorCode::kInvalidArgument, "emit('" + event + "'): data is not valid JSON", nullptr};
  }
  bool schedule = false;
  {
    CheckedLock lock(emit_mutex);
    if (pending_emits.size() + entry.size() > options.max_payload_bytes) {
      return Error{ErrorCode::kQueueFull,
                   "emit('" + event + "'): more than max_payload_bytes of events are waiting for the page",
                   nullptr};
    }
    if (!pending_emits.empty()) pending_emits += ',';
    pending_emits += entry;
    schedule = !std::exchange(flush_scheduled, true);
  }
  if (schedule && !post([this] { flush_emits(); })) {
    return Error{ErrorCode::kShutdown, "emit('" + event + "'): the WebView is closed", nullptr};
  }
  return Result<void>();
}

// One batch in flight at a time: while the page runs a batch, new emits accumulate into the next
// one, so a flood becomes few large evaluations (throughput) and an idle view flushes at once
// (latency).
void WebView::Core::flush_emits() {
  if (!page_ready || !backend || batch_in_flight) return;  // re-run on hello / when the batch is done
  std::string entries, answers, doc;
  {
    CheckedLock lock(emit_mutex);
    if (queued_ops > 0) {  // newer emits wait behind a queued operation, which flushes when it ran
      flush_scheduled = false;
      return;
    }
    entries.swap(pending_emits);
    answers.swap(pending_answers);
    doc = current_doc;
    flush_scheduled = false;
  }
  const std::string messages = protocol::message_list(answers, entries);
  if (messages.empty()) return;
  batch_in_flight = true;
  auto done = [weak = weak_from_this()] {
    if (auto core = weak.lock()) {
      core->batch_in_flight = false;
      core->flush_emits();
    }
  };
  // Flushes carry the floods: as a script (compiled per batch, but cheaper per event than a string
  // argument at millions of events per second). Answers belong to their document, and a
  // "__proto__" key means something else in a literal: those go as data (send_to_page).
  if (answers.empty() && protocol::literal_safe(messages)) {
    backend->evaluate(protocol::deliver_script(messages), std::move(done));
  } else {
    send_to_page(doc, messages, std::move(done));
  }
}

void WebView::Core::send_to_page(const std::string& doc, const std::string& messages,
                                 std::function<void()> done) {
  if (!messages.empty()) backend->deliver(doc, messages, std::move(done));
}

// WebView thread.
void WebView::Core::deliver_answers_now() {
  PendingBatch batch;
  {
    CheckedLock lock(emit_mutex);
    answer_flush_scheduled = false;
    // Waiting emits go along (a handler's emits arrive before its answer), unless an operation is
    // queued: emits made after it must wait for it, and answers never wait.
    if (queued_ops == 0) batch.entries.swap(pending_emits);
    batch.answers.swap(pending_answers);
    batch.doc = current_doc;
  }
  if (backend) deliver(batch);
}

// Per-thread order between emits and later operations (post_op): an operation takes the emits (and
// answers) waiting at the moment it is posted, on the posting thread, and the WebView thread evaluates
// them right before the operation (WebKit runs evaluations in the order they are issued). Emits made
// after it wait until it has run: no flush takes them while an operation is queued. Delivering an
// operation's emits does not wait for the batch in flight (that pacing is for throughput, not order).
// Before the page is ready they go back to the front of the queue to wait for the bridge; the
// operation itself does not wait.
void WebView::Core::deliver(PendingBatch& batch) {
  if (batch.entries.empty() && batch.answers.empty()) return;
  // Answers taken for a document that is gone go nowhere; events go to the document there is now.
  if (batch.doc != view_thread_doc()) batch.answers.clear();
  if (!page_ready) {
    CheckedLock lock(emit_mutex);
    if (!batch.entries.empty() && !pending_emits.empty()) batch.entries += ',';
    pending_emits.insert(0, batch.entries);
    pending_answers.insert(0, batch.answers);
    return;
  }
  send_to_page(view_thread_doc(), protocol::message_list(batch.answers, batch.entries));
}

Result<void> WebView::Core::eval_async(std::string script, EvalCallback callback,
                                       std::chrono::milliseconds timeout) {
  auto answer = std::make_shared<AnswerOnce>(std::move(callback));
  const bool posted = post_op([this, script = std::move(script), answer, timeout] {
    if (backend) backend->evaluate_async(script, answer->take(), timeout);
    // else: closed; the destructor of the last reference answers with ShutdownError
  });
  if (!posted) {
    answer->take();  // refused: the caller reports the refusal, the callback must not also run
    return Error{ErrorCode::kShutdown, "eval_js_async: the WebView is closed", nullptr};
  }
  return Result<void>();
}

Result<std::string> WebView::Core::eval_sync(const std::string& script, std::chrono::milliseconds timeout) {
  if (gtk->is_main_thread()) {
    return Error{ErrorCode::kDeadlock,
                 "eval_js_sync was called on the thread the WebView runs on (in host mode the host's "
                 "main thread, otherwise dccview-webview), where it would wait for itself: call it "
                 "from a worker thread, or use eval_js_async with a callback",
                 nullptr};
  }
  struct State {
    detail::Completion done;
    std::optional<std::string> value;
    std::optional<JsError> error;
  };
  auto state = std::make_shared<State>();
  const std::string label = "eval_js_sync(" + script.substr(0, 60) + ")";
  std::optional<detail::SyncWait> wait;
  try {
    wait.emplace(*gtk, label, state->done);  // no request: the page answers; nothing to serve
  } catch (const DeadlockDetectedError& e) {
    return Error{ErrorCode::kDeadlock, e.what(), nullptr};
  }
  auto posted = eval_async(script, [state](std::optional<std::string> value, std::optional<JsError> error) {
    state->value = std::move(value);
    state->error = std::move(error);
    state->done.set();
  }, timeout);
  if (!posted.ok()) return posted.error();
  // The page-side timer answers first; the margin covers a WebView thread busy with other work.
  const auto deadline = detail::deadline_after_ns(
      std::chrono::nanoseconds(timeout + std::chrono::seconds(1)).count());
  if (!wait->wait(state->done, deadline)) {
    return Error{ErrorCode::kTimeout,
                 "JavaScript execution timed out after " + std::to_string(timeout.count()) +
                     " ms. Script: " + script.substr(0, 100),
                 nullptr};
  }
  if (state->error) {
    const std::string& name = state->error->name;
    const ErrorCode code = name == "TimeoutError"         ? ErrorCode::kTimeout
                           : name == "ShutdownError"      ? ErrorCode::kShutdown
                           : name == kWebProcessErrorName ? ErrorCode::kWebProcess
                                                          : ErrorCode::kJavaScript;
    if (code == ErrorCode::kTimeout) {
      return Error{code,
                   "JavaScript execution timed out after " + std::to_string(timeout.count()) +
                       " ms. Script: " + script.substr(0, 100),
                   nullptr};
    }
    const JsError& page = *state->error;
    std::exception_ptr detail;
    if (code == ErrorCode::kJavaScript) {
      detail = std::make_exception_ptr(JavaScriptError(page.name, page.message, page.stack));
    }
    return Error{code, page.name + ": " + page.message, detail};
  }
  return *state->value;
}

void WebView::Core::finalize() {
  // Idempotent (a late teardown may follow one whose timed-out call had already started).
  // Handlers may hold references back to their view (a Python closure over the WebView object):
  // dropping them at close breaks such cycles. They are destroyed outside the lock.
  std::unordered_map<std::string, std::shared_ptr<const Handler>> dropped;
  {
    CheckedLock lock(handlers_mutex);
    dropped.swap(handlers);
  }
  if (backend) {
    backend->evaluate(protocol::shutdown_script());  // the page's pending calls are rejected
    backend.reset();
  }
  ui->discard_pending();
  if (auto closed_handler = dropped.find(kClosedEvent); closed_handler != dropped.end()) {
    try {
      (*closed_handler->second)("{}");
    } catch (...) {
      detail::report_escaped_exception("WebView closed handler");
    }
  }
}

void WebView::Core::close() {
  if (closed.exchange(true, std::memory_order_acq_rel)) return;
  ui->shutdown();
  auto self = shared_from_this();
  if (gtk->is_main_thread()) {
    if (!gtk->post([self] { self->finalize(); }, "close WebView")) finalize();
    return;
  }
  if (!ui->wait_for_drain(options.close_timeout)) {
    log(LogLevel::kWarn, "WebView close: operations still queued after " +
                             std::to_string(options.close_timeout.count()) +
                             " ms were destroyed without running");
  }
  auto done = gtk->try_call([self] { self->finalize(); }, options.close_timeout, "close WebView");
  if (done.ok()) return;
  log(LogLevel::kWarn, "WebView close: " + done.error().message +
                           "; the view is torn down when its thread frees up");
  // The timed-out call was cancelled (or is running: finalize is idempotent). Tearing down must
  // still happen, on the WebView thread: the posted closure also keeps the core, and so its GTK
  // objects, from being destroyed on the caller's thread.
  if (!gtk->post([self] { self->finalize(); }, "close WebView (late)")) {
    log(LogLevel::kError, "WebView close: the WebView thread is gone; the view could not be torn down");
  }
}

}  // namespace dccview
