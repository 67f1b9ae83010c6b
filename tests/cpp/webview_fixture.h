// The WebView fixture every engine's test binary shares: a "DCC" main thread and a view made by the
// engine under test (webview_engine.h), with the test page. Used by the shared suite
// (webview_suite_*.cc) and by each engine's own tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dccview/dispatcher.h"
#include "dccview/webview.h"
#include "loop_drivers.h"
#include "test_support.h"
#include "webview_engine.h"

namespace dccview {

using namespace std::chrono_literals;

inline constexpr const char* kPage = R"html(<!doctype html>
<html><body><h1>dccview test page</h1>
<script>
  window.received = [];
  dccview.on("tick", (data) => window.received.push(data));
  window.__loaded = true;
</script></body></html>)html";

// A "DCC" main thread (owned loop on its own thread) and a WebView with the test page loaded.
class WebViewTest : public ::testing::Test {
 protected:
  void open(bool dcc_mode, bool debug = false) {
    main_ = std::make_shared<Dispatcher>();
    driver_.start(main_);
    WebViewOptions options;
    options.title = "dccview test";
    options.dcc_mode = dcc_mode;
    options.debug = debug;
    options.main_dispatcher = main_;
    view_ = test_engine::make_view(options);
  }
  // Options for another view, docked into the foreign X window `parent`, on the same main thread.
  WebViewOptions docked_into(decltype(WebViewOptions::parent) parent) const {
    WebViewOptions options;
    options.parent = parent;
    options.main_dispatcher = main_;
    return options;
  }
  void load_page() {
    view_->load_html(kPage);
    ASSERT_TRUE(testing::eventually([&] {
      auto r = view_->eval_js_sync("window.__loaded ? dccview.whenReady().then(() => true) : false", 2s);
      return r.ok() && r.value() == "true";
    }, 20s)) << "the page never became ready";
  }
  void TearDown() override {
    view_.reset();
    if (main_) driver_.stop(std::move(main_));
  }
  std::string eval(const std::string& script) {
    auto r = view_->eval_js_sync(script, 10s);
    return r.ok() ? r.value() : "error: " + r.error().message;
  }

  testing::OwnedDriver driver_;
  std::shared_ptr<Dispatcher> main_;
  std::unique_ptr<WebView> view_;
};

inline bool page_loaded(WebView& view) {
  return testing::eventually([&] {
    auto r = view.eval_js_sync("window.__loaded === true", 2s);
    return r.ok() && r.value() == "true";
  }, 20s);
}

}  // namespace dccview
