// The demo: a "mini DCC" host whose scene API aborts when touched off its main thread, with a dccview
// web panel that lists, creates and deletes scene objects through handlers (dcc_mode: they run on
// the main thread), starts a background job streaming progress and log lines with emit(), and shows
// the main-thread dispatcher's counters.
//
//   mini_dcc [--screenshot FILE] [--seconds N]
// It drives the panel itself (clicks its buttons through the page), saves a screenshot, checks that
// everything happened, and exits 0 on success.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/owned_loop.h"
#include "dccview/webview.h"

namespace mini_dcc {
extern const char kPanelHtml[];
}

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The host's scene: main thread only, like bpy or maya.cmds, and it aborts loudly otherwise.
class Scene {
 public:
  explicit Scene(const dccview::Dispatcher& main) : main_(main) {}
  std::string create(const std::string& kind) {
    check("create");
    objects_.push_back(kind + std::to_string(++counter_));
    return objects_.back();
  }
  bool remove(const std::string& name) {
    check("delete");
    return std::erase(objects_, name) > 0;
  }
  std::vector<std::string> list() {
    check("list");
    return objects_;
  }

 private:
  void check(const char* what) const {
    if (main_.is_main_thread()) return;
    std::fprintf(stderr, "mini DCC: scene.%s called off the main thread\n", what);
    std::abort();
  }
  const dccview::Dispatcher& main_;
  std::vector<std::string> objects_;
  int counter_ = 0;
};

nlohmann::ordered_json stats_json(const dccview::Dispatcher& d) {
  const auto s = d.stats();
  return {{"accepted", s.accepted}, {"run", s.run}, {"cancelled", s.cancelled},
          {"destroyed", s.destroyed}, {"rejected", s.rejected}, {"max depth", s.max_depth},
          {"mean latency (us)", static_cast<int>(s.latency_mean_us)}};
}

void register_handlers(dccview::WebView& view, Scene& scene, dccview::Dispatcher& main,
                       std::vector<std::thread>& jobs) {
  view.on("list_objects", [&](const std::string&) { return json(scene.list()).dump(); });
  view.on("create_object", [&](const std::string& params) {
    return json(scene.create(json::parse(params).value("kind", "object"))).dump();
  });
  view.on("delete_object", [&](const std::string& params) {
    return json(scene.remove(json::parse(params).value("name", ""))).dump();
  });
  view.on("stats", [&](const std::string&) { return stats_json(main).dump(); });
  view.on("start_job", [&, proxy = view.get_proxy()](const std::string&) {
    jobs.emplace_back([&, proxy] {  // a worker: it may not touch the scene
      for (int pct = 0; pct <= 100; pct += 2) {
        std::this_thread::sleep_for(20ms);
        proxy.emit("progress", json{{"percent", pct}}.dump());
        if (pct % 20 == 0) proxy.emit("log", json("baking: " + std::to_string(pct) + "%").dump());
      }
      // Results go into the scene on the main thread.
      const std::string object = main.call([&] { return scene.create("lightmap"); }, 10s);
      proxy.emit("job_done", json{{"object", object}}.dump());
    });
    return std::string("null");
  });
}

// Clicks through the panel like a user would, from a worker thread.
bool autopilot(dccview::WebView& view, const std::string& screenshot) {
  auto eval = [&](const std::string& script) { return view.eval_js_sync(script, 10s); };
  for (int i = 0; i < 200; ++i) {
    auto ready = eval("document.getElementById('status').textContent === 'connected'");
    if (ready.ok() && ready.value() == "true") break;
    std::this_thread::sleep_for(50ms);
  }
  for (const char* id : {"create-cube", "create-sphere", "create-cube", "start-job"}) {
    eval(std::string("document.getElementById('") + id + "').click(), true");
    std::this_thread::sleep_for(150ms);
  }
  bool done = false;
  for (int i = 0; i < 100 && !done; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = eval("window.jobDone === true");
    done = r.ok() && r.value() == "true";
  }
  eval("document.querySelector('#objects li button').click(), true");  // delete the first object
  std::this_thread::sleep_for(300ms);
  auto count = eval("document.querySelectorAll('#objects li').length");
  std::printf("mini DCC: job finished: %s; objects listed in the panel: %s\n", done ? "yes" : "no",
              count.ok() ? count.value().c_str() : "?");
  auto saved = view.save_screenshot(screenshot);
  std::printf("mini DCC: screenshot %s: %s\n", screenshot.c_str(),
              saved.ok() ? "saved" : saved.error().message.c_str());
  return done && count.ok() && count.value() == "3" && saved.ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::string screenshot = "demo.png";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--screenshot") == 0) screenshot = argv[i + 1];
  }
  auto main_dispatcher = std::make_shared<dccview::Dispatcher>();
  auto& loop = main_dispatcher->install<dccview::OwnedLoop>();  // this thread is the DCC main thread
  Scene scene(*main_dispatcher);

  dccview::WebViewOptions options;
  options.title = "mini DCC - dccview demo";
  options.width = 960;
  options.height = 620;
  options.dcc_mode = true;
  options.main_dispatcher = main_dispatcher;
  dccview::WebView view(options);
  std::vector<std::thread> jobs;
  register_handlers(view, scene, *main_dispatcher, jobs);
  view.load_html(mini_dcc::kPanelHtml);

  bool ok = false;
  std::thread pilot([&] {
    ok = autopilot(view, screenshot);
    loop.quit();
  });
  loop.run();  // the host's main loop: runs the handlers and the job's scene update
  pilot.join();
  for (auto& job : jobs) job.join();
  view.close();
  std::printf("mini DCC: %s\n", ok ? "demo completed" : "DEMO FAILED");
  return ok ? 0 : 1;
}
