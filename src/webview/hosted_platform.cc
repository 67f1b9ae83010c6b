// A Platform over a thread the host runs: see hosted_platform.h.
#include "webview/hosted_platform.h"

#include <chrono>
#include <utility>

#include "dccview/dispatcher.h"
#include "dccview/manual_loop.h"
#include "webview/core.h"

namespace dccview::webview_detail {

namespace {

// How long one posted pump may run the view's queue before the host's loop gets the thread back.
constexpr auto kViewPumpBudget = std::chrono::milliseconds(10);

// The view's queue wakes the host's thread by posting a pump of itself there; the pump re-wakes
// while work remains. Weak: a wake racing the view's destruction pumps nothing.
void install_pumped_by(const std::shared_ptr<Dispatcher>& gui, const std::shared_ptr<Dispatcher>& view_queue) {
  std::weak_ptr<Dispatcher> weak_gui = gui;
  std::weak_ptr<Dispatcher> weak_queue = view_queue;
  view_queue->install<ManualLoop>([weak_gui, weak_queue] {
    auto target = weak_gui.lock();
    if (!target) return;
    target->post([weak_queue] {
      if (auto queue = weak_queue.lock()) queue->pump(kViewPumpBudget);
    }, "pump a WebView's queue");
  });
}

}  // namespace

Platform hosted_platform(const std::shared_ptr<Dispatcher>& gui, BackendFactory factory) {
  return Platform{
      [gui](ThreadMode) { return gui; },
      [gui](const std::shared_ptr<Dispatcher>& view_queue) { install_pumped_by(gui, view_queue); },
      std::move(factory),
  };
}

std::unique_ptr<WebView> make_webview(WebViewOptions options, const Platform& platform) {
  return std::unique_ptr<WebView>(new WebView(std::move(options), platform));
}

}  // namespace dccview::webview_detail
