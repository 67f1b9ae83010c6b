// The mini DCC's scene and panel logic, shared by its two hosts: mini_dcc.cc (dccview's OwnedLoop, the
// panel on WebKitGTK in a window of its own) and mini_dcc_qt.cc (a Qt main window, the panel on Qt
// WebEngine docked in it).
#pragma once

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/webview.h"

namespace mini_dcc {

extern const char kPanelHtml[];

// The host's scene: main thread only, like bpy or maya.cmds, and it aborts loudly otherwise.
class Scene {
 public:
  explicit Scene(const dccview::Dispatcher& main) : main_(main) {}
  std::string create(const std::string& kind);
  bool remove(const std::string& name);
  std::vector<std::string> list();

 private:
  void check(const char* what) const;
  const dccview::Dispatcher& main_;
  std::vector<std::string> objects_;
  int counter_ = 0;
};

// The panel's handlers (list, create, delete, stats, start_job). start_job starts a worker in `jobs`
// that streams progress and then adds its result to the scene through `main`. Call before loading.
void register_handlers(dccview::WebView& view, Scene& scene, dccview::Dispatcher& main,
                       std::vector<std::thread>& jobs);

// Saves a screenshot to the path; returns an empty string, or what went wrong.
using SaveScreenshot = std::function<std::string(const std::string& path)>;

// Clicks through the panel like a user would, from a worker thread: three objects, the background
// job, a delete; each step waits (bounded) for the page to show its outcome. Then saves the
// screenshot. Returns whether every step showed what it should.
bool autopilot(dccview::WebView& view, const std::string& screenshot, const SaveScreenshot& save);

}  // namespace mini_dcc
