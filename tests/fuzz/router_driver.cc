// The router driver: see router_driver.h.
#include "router_driver.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/log.h"
#include "dccview/manual_loop.h"
#include "webview/backend.h"
#include "webview/core.h"
#include "webview/protocol.h"

namespace dccview::fuzz {
namespace {

using nlohmann::json;
using webview_detail::Backend;
using webview_detail::BackendEvents;

// Names the broken invariant, then aborts (the fuzzer saves the input; the test binary fails).
#define ROUTER_CHECK(condition)                                                                \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::fprintf(stderr, "router invariant broken: %s (router_driver.cc:%d)\n", #condition, __LINE__); \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)

const char* const kOrigins[] = {"https://app.example", "https://evil.example", "null"};
const char* const kMethods[] = {"echo", "throws", "invalid", "missing", "dccview:closed", "note"};
const char* const kEvents[] = {"note", "dccview:closed", "dccview:web_process_terminated", "echo"};
const char* const kData[] = {"1", R"({"__proto__":{"polluted":1},"a":1})", "\"x\"", "not json",
                             "[1,{\"b\":null}]"};

// What the fake page saw, in order.
struct Page {
  struct Delivery {
    std::string doc;
    std::string messages;
  };
  std::vector<Delivery> deliveries;
  std::vector<std::string> scripts;
  std::deque<std::function<void()>> completions;  // the page finishing a delivery or script
  std::deque<EvalCallback> evaluations;           // awaiting the page's answer
  bool backend_alive = false;
  std::size_t seen() const { return deliveries.size() + scripts.size(); }
};

class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(Page& page) : page_(page) { page_.backend_alive = true; }
  ~FakeBackend() override {
    page_.backend_alive = false;
    // WebKit answers what the destroyed view still owed through its timers: so does this page.
    for (auto& callback : page_.evaluations) {
      callback(std::nullopt, JsError{"TimeoutError", "view destroyed", ""});
    }
    page_.evaluations.clear();
    page_.completions.clear();
  }
  void load_html(const std::string&, const std::string&) override {}
  void load_url(const std::string&) override {}
  void reload() override {}
  std::string current_url() override { return "https://app.example/"; }
  void evaluate(const std::string& script, std::function<void()> done) override {
    page_.scripts.push_back(script);
    if (done) page_.completions.push_back(std::move(done));
  }
  void deliver(const std::string& doc, const std::string& messages, std::function<void()> done) override {
    page_.deliveries.push_back({doc, messages});
    if (done) page_.completions.push_back(std::move(done));
  }
  void evaluate_async(const std::string&, EvalCallback callback, std::chrono::milliseconds) override {
    page_.evaluations.push_back(std::move(callback));
  }
  void show() override {}
  void hide() override {}
  void set_title(const std::string&) override {}
  void set_size(int, int) override {}
  std::uint64_t native_handle() override { return 0; }
  bool show_inspector() override { return false; }
  void save_png(const std::string&, std::function<void(Result<void>)> done) override { done(Result<void>()); }

 private:
  Page& page_;
};

class Cursor {
 public:
  Cursor(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  unsigned next() { return at_ < size_ ? data_[at_++] : 0; }
  std::string bytes(std::size_t count) {
    std::string out;
    while (count-- > 0 && at_ < size_) out += static_cast<char>(data_[at_++]);
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

class Driver {
 public:
  explicit Driver(bool dcc_mode) {
    set_log_sink([](LogLevel, std::string_view) {});  // the core's warnings are expected here
    view_thread_ = std::make_shared<Dispatcher>();
    view_thread_->install<ManualLoop>();
    main_ = std::make_shared<Dispatcher>();
    main_->install<ManualLoop>();
    WebViewOptions options;
    options.dcc_mode = dcc_mode;
    options.main_dispatcher = main_;
    options.max_payload_bytes = 4096;
    options.allowed_origins = {"https://app.example", "null"};
    core_ = std::make_shared<WebView::Core>(options);
    webview_detail::Platform platform{
        [this](ThreadMode) { return view_thread_; },
        [](const std::shared_ptr<Dispatcher>& queue) { queue->install<ManualLoop>(); },
        [this](const WebViewOptions&, BackendEvents&, const std::string& token) {
          token_ = token;
          return std::unique_ptr<Backend>(new FakeBackend(page_));
        }};
    core_->create(platform);
    ROUTER_CHECK(!token_.empty() && token_ == core_->bridge_token);
    register_handlers();
  }

  ~Driver() {
    core_->close();
    pump();
    ROUTER_CHECK(!page_.backend_alive);
    ROUTER_CHECK(closed_calls_ == 1);
    ROUTER_CHECK(terminated_calls_ == terminations_);
    for (int answers : eval_answers_) ROUTER_CHECK(answers == 1);
    core_.reset();
    pump();
    set_log_sink({});
  }

  void step(Cursor& in) {
    switch (in.next() % 15) {
      case 0: hello(in.next() % 3, in.next() % 3); break;
      case 1: page_message(in.next() % 3, call(in), in.next() % 4); break;
      case 2: page_message(in.next() % 3, emit(in), in.next() % 4); break;
      case 3: batch(in); break;
      case 4: raw(in); break;
      case 5: unauthenticated(in); break;
      case 6: core_->on_navigation_started(); break;
      case 7: (void)core_->emit(kEvents[in.next() % 4], kData[in.next() % 5]); break;
      case 8: evaluate(); break;
      case 9: complete_one(); break;
      case 10: answer_evaluation(in.next() % 3); break;
      case 11: pump(); break;
      case 12: core_->close(); break;
      case 13: terminate(); break;
      case 14: (void)core_->run_on_view("set_title", [](Backend& b) { b.set_title("t"); }); break;
    }
    check_deliveries();
  }

 private:
  static std::string doc_name(unsigned doc) { return "doc" + std::to_string(doc); }
  // Each document's ids live in a range of their own: an answer in the wrong document is visible.
  static std::uint64_t id_for(unsigned doc, unsigned n) { return doc * 1000 + n; }

  void register_handlers() {
    const auto on = [this](const std::string& name, Handler handler) {
      CheckedLock lock(core_->handlers_mutex);
      core_->handlers[name] = std::make_shared<const Handler>(std::move(handler));
    };
    on("echo", [](const std::string& params) { return params; });
    on("throws", [](const std::string&) -> std::string { throw std::runtime_error("boom"); });
    on("invalid", [](const std::string&) { return std::string("not json"); });
    on("note", [](const std::string&) { return std::string("null"); });
    on(kClosedEvent, [this](const std::string&) {
      ++closed_calls_;
      return std::string("null");
    });
    on(kWebProcessTerminatedEvent, [this](const std::string&) {
      ++terminated_calls_;
      return std::string("null");
    });
  }

  json call(Cursor& in) {
    pending_doc_ids_.push_back(in.next());
    return json{{"type", "call"}, {"id", pending_doc_ids_.back()}, {"method", kMethods[in.next() % 6]},
                {"params", json::parse(kData[in.next() % 5], nullptr, false)}};
  }
  json emit(Cursor& in) {
    return json{{"type", "emit"}, {"event", kEvents[in.next() % 4]}, {"data", in.next()}};
  }

  void batch(Cursor& in) {
    json items = json::array();
    for (unsigned n = in.next() % 5; n > 0; --n) items.push_back(in.next() % 2 ? call(in) : emit(in));
    page_message(in.next() % 3, json{{"type", "batch"}, {"messages", items}}, in.next() % 4);
  }

  // A message of document `doc`: its ids are moved into the document's range first.
  void page_message(unsigned doc, json message, unsigned origin) {
    const auto place = [&](json& item) {
      if (item.contains("id")) {
        item["id"] = id_for(doc, item["id"].get<unsigned>());
        possible_ids_[doc_name(doc)].insert(item["id"].get<std::uint64_t>());
      }
    };
    place(message);
    if (message.contains("messages")) {
      for (json& item : message["messages"]) place(item);
    }
    pending_doc_ids_.clear();
    send(doc, message.dump(), origin);
  }

  // Arbitrary bytes from a document: every number in them may be an id it is answered for (read as
  // the protocol reads an id it finds before parsing: at most 20 digits, in 64-bit arithmetic).
  void raw(Cursor& in) {
    const unsigned doc = in.next() % 3;
    const std::string text = in.bytes(in.next() % 64);
    std::uint64_t number = 0;
    int digits = 0;
    for (char c : text + " ") {
      if (c >= '0' && c <= '9') {
        if (digits++ < 20) number = number * 10 + static_cast<std::uint64_t>(c - '0');
      } else if (digits > 0) {
        possible_ids_[doc_name(doc)].insert(number);
        number = 0;
        digits = 0;
      }
    }
    send(doc, text, in.next() % 4);
  }

  // `origin` 3: the short header, the document's id alone (the origin is its hello's).
  void send(unsigned doc, const std::string& payload, unsigned origin) {
    const std::string header =
        origin == 3 ? doc_name(doc)
                    : json{{"token", token_}, {"doc", doc_name(doc)}, {"origin", kOrigins[origin]}}.dump();
    const std::string text = header + "\n" + payload;
    if (!core_->backend) return;  // closed: the backend is gone, nothing can post
    const bool stale = doc_name(doc) != current_doc_;
    const std::size_t before = page_.seen();
    core_->on_page_message(text);
    if (stale) ROUTER_CHECK(page_.seen() == before);  // a document that is gone changes nothing
  }

  void hello(unsigned doc, unsigned origin) {
    if (!core_->backend) return;
    current_doc_ = doc_name(doc);
    said_hello_.insert(current_doc_);
    core_->on_page_message(
        json{{"token", token_}, {"doc", current_doc_}, {"origin", kOrigins[origin]}}.dump() +
        "\n{\"type\":\"hello\"}");
  }

  // No token, another view's token, no header at all: never answered, nothing changes.
  void unauthenticated(Cursor& in) {
    if (!core_->backend) return;
    const std::string payload =
        R"({"type":"call","id":)" + std::to_string(in.next()) + R"(,"method":"echo"})";
    const std::string texts[] = {
        payload,
        json{{"token", "other"}, {"doc", current_doc_}, {"origin", kOrigins[0]}}.dump() + "\n" + payload,
        json{{"doc", current_doc_}, {"origin", kOrigins[0]}}.dump() + "\n" + payload,
        R"({"type":"call","id":)" + std::to_string(in.next()) + ",",
        doc_name(in.next() % 4) + "x\n" + payload,  // the short header of no document
    };
    const std::size_t before = page_.seen();
    core_->on_page_message(texts[in.next() % 5]);
    ROUTER_CHECK(page_.seen() == before);
  }

  void evaluate() {
    const std::size_t index = eval_answers_.size();
    eval_answers_.push_back(0);
    auto count_answer = [this, index](std::optional<std::string>, std::optional<JsError>) {
      ++eval_answers_[index];
    };
    const auto posted = core_->eval_async("1", std::move(count_answer), std::chrono::milliseconds(1000));
    if (!posted.ok()) ++eval_answers_[index];  // refused: the caller hears it instead of the callback
  }

  void answer_evaluation(unsigned how) {
    if (page_.evaluations.empty()) return;
    EvalCallback callback = std::move(page_.evaluations.front());
    page_.evaluations.pop_front();
    if (how == 0) callback(std::string("1"), std::nullopt);
    else if (how == 1) callback(std::nullopt, JsError{"TypeError", "x", ""});
    else callback(std::nullopt, JsError{kWebProcessErrorName, "gone", ""});
  }

  void complete_one() {
    if (page_.completions.empty()) return;
    auto done = std::move(page_.completions.front());
    page_.completions.pop_front();
    done();
  }

  void terminate() {
    if (!core_->backend) return;
    ++terminations_;
    core_->on_web_process_terminated("crashed");
  }

  void pump() {
    for (int round = 0; round < 1000; ++round) {
      const bool more = view_thread_->pump(std::chrono::milliseconds(50)).more_pending |
                        main_->pump(std::chrono::milliseconds(50)).more_pending |
                        (core_ && core_->ui && core_->ui->pump(std::chrono::milliseconds(50)).more_pending);
      if (!more) return;
    }
  }

  void check_deliveries() {
    for (; checked_deliveries_ < page_.deliveries.size(); ++checked_deliveries_) {
      const auto& delivery = page_.deliveries[checked_deliveries_];
      ROUTER_CHECK(said_hello_.count(delivery.doc) == 1);
      for (unsigned char c : delivery.messages) ROUTER_CHECK(c < 0x80);
      const json list = json::parse(delivery.messages, nullptr, false);
      ROUTER_CHECK(list.is_array());
      for (const json& message : list) {
        if (message.value("type", "") != "result") continue;
        ROUTER_CHECK(possible_ids_[delivery.doc].count(message["id"].get<std::uint64_t>()) == 1);
      }
    }
    for (; checked_scripts_ < page_.scripts.size(); ++checked_scripts_) {
      const std::string& script = page_.scripts[checked_scripts_];
      if (script == protocol::shutdown_script()) continue;
      const std::string prefix = "window.dccview.__deliverList(", suffix = "); true;";
      ROUTER_CHECK(script.rfind(prefix, 0) == 0);
      const std::string list = script.substr(prefix.size(), script.size() - prefix.size() - suffix.size());
      ROUTER_CHECK(protocol::literal_safe(list));
      const json parsed = json::parse(list, nullptr, false);
      ROUTER_CHECK(parsed.is_array());
      // Answers go as data, never in a script.
      for (const json& message : parsed) ROUTER_CHECK(message.value("type", "") == "events");
    }
    ROUTER_CHECK(closed_calls_ <= 1);
    if (!core_->closed) ROUTER_CHECK(closed_calls_ == 0);
    ROUTER_CHECK(terminated_calls_ == terminations_);  // the page's "dccview:" emits reach no handler
  }

  std::shared_ptr<Dispatcher> view_thread_, main_;
  std::shared_ptr<WebView::Core> core_;
  Page page_;
  std::string token_;
  std::string current_doc_;
  std::set<std::string> said_hello_;
  std::map<std::string, std::set<std::uint64_t>> possible_ids_;
  std::vector<unsigned> pending_doc_ids_;
  std::vector<int> eval_answers_;
  std::size_t checked_deliveries_ = 0, checked_scripts_ = 0;
  int closed_calls_ = 0, terminated_calls_ = 0, terminations_ = 0;
};

}  // namespace

void run_router_script(const std::uint8_t* data, std::size_t size) {
  Cursor in(data, size);
  Driver driver(in.next() % 2 == 1);
  for (int steps = 0; !in.done() && steps < 256; ++steps) driver.step(in);
}

}  // namespace dccview::fuzz
