// The demo: a "mini DCC" host whose scene API aborts when touched off its main thread, with a dccview
// web panel that lists, creates and deletes scene objects through handlers (dcc_mode: they run on
// the main thread), starts a background job streaming progress and log lines with emit(), and shows
// the main-thread dispatcher's counters. The host's main loop is dccview's OwnedLoop; the panel is a
// WebKitGTK window (mini_dcc_qt.cc: the same panel on Qt WebEngine, docked in a Qt main window).
//
//   mini_dcc [--screenshot FILE]
// It drives the panel itself (clicks its buttons through the page), saves a screenshot, checks that
// everything happened, and exits 0 on success.
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/owned_loop.h"
#include "dccview/webview.h"
#include "mini_dcc_panel.h"

int main(int argc, char** argv) {
  std::string screenshot = "demo.png";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--screenshot") == 0) screenshot = argv[i + 1];
  }
  auto main_dispatcher = std::make_shared<dccview::Dispatcher>();
  auto& loop = main_dispatcher->install<dccview::OwnedLoop>();  // this thread is the DCC main thread
  mini_dcc::Scene scene(*main_dispatcher);

  dccview::WebViewOptions options;
  options.title = "mini DCC - dccview demo";
  options.width = 960;
  options.height = 620;
  options.dcc_mode = true;
  options.main_dispatcher = main_dispatcher;
  dccview::WebView view(options);
  std::vector<std::thread> jobs;
  mini_dcc::register_handlers(view, scene, *main_dispatcher, jobs);
  view.load_html(mini_dcc::kPanelHtml);

  bool ok = false;
  std::thread pilot([&] {
    ok = mini_dcc::autopilot(view, screenshot, [&view](const std::string& path) {
      auto saved = view.save_screenshot(path);
      return saved.ok() ? std::string() : saved.error().message;
    });
    loop.quit();
  });
  loop.run();  // the host's main loop: runs the handlers and the job's scene update
  pilot.join();
  for (auto& job : jobs) job.join();
  view.close();
  std::printf("mini DCC: %s\n", ok ? "demo completed" : "DEMO FAILED");
  return ok ? 0 : 1;
}
