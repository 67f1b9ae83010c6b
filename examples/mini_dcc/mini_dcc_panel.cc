#include "mini_dcc_panel.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace mini_dcc {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

nlohmann::ordered_json stats_json(const dccview::Dispatcher& d) {
  const auto s = d.stats();
  return {{"accepted", s.accepted}, {"run", s.run}, {"cancelled", s.cancelled},
          {"destroyed", s.destroyed}, {"rejected", s.rejected}, {"max depth", s.max_depth},
          {"mean latency (us)", static_cast<int>(s.latency_mean_us)}};
}

// Polls `condition` (a JavaScript expression) until the page says true, for up to `limit`: the page
// sets its own pace (a handler answers, a job streams), so the autopilot waits on what it shows.
bool page_shows(dccview::WebView& view, const std::string& condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  do {
    auto r = view.eval_js_sync("(" + condition + ") === true", 5s);
    if (r.ok() && r.value() == "true") return true;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  std::printf("mini DCC: the page never showed: %s\n", condition.c_str());
  return false;
}

bool click(dccview::WebView& view, const std::string& selector) {
  return view.eval_js_sync("document.querySelector('" + selector + "').click(), true", 5s).ok();
}

std::string listed_count() { return "document.querySelectorAll('#objects li').length"; }

}  // namespace

std::string Scene::create(const std::string& kind) {
  check("create");
  objects_.push_back(kind + std::to_string(++counter_));
  return objects_.back();
}

bool Scene::remove(const std::string& name) {
  check("delete");
  return std::erase(objects_, name) > 0;
}

std::vector<std::string> Scene::list() {
  check("list");
  return objects_;
}

void Scene::check(const char* what) const {
  if (main_.is_main_thread()) return;
  std::fprintf(stderr, "mini DCC: scene.%s called off the main thread\n", what);
  std::abort();
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
        std::this_thread::sleep_for(20ms);  // the job's "work"
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

bool autopilot(dccview::WebView& view, const std::string& screenshot, const SaveScreenshot& save) {
  bool ok = page_shows(view, "document.getElementById('status').textContent === 'connected'");
  int expected = 0;
  for (const char* id : {"#create-cube", "#create-sphere", "#create-cube"}) {
    ok = ok && click(view, id) && page_shows(view, listed_count() + " === " + std::to_string(++expected));
  }
  const bool done = ok && click(view, "#start-job") && page_shows(view, "window.jobDone === true");
  ok = done && page_shows(view, listed_count() + " === 4");                   // the job's lightmap
  ok = ok && click(view, "#objects li button") && page_shows(view, listed_count() + " === 3");  // a delete
  // Two more frames: what the page shows now is painted before the screenshot.
  view.eval_js_sync("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))", 5s);
  std::printf("mini DCC: job finished: %s; objects listed in the panel: %s\n", done ? "yes" : "no",
              ok ? "3" : "not as expected");
  const std::string failure = save(screenshot);
  std::printf("mini DCC: screenshot %s: %s\n", screenshot.c_str(), failure.empty() ? "saved" : failure.c_str());
  return ok && failure.empty();
}

}  // namespace mini_dcc
