// The demo on Qt WebEngine: the same "mini DCC" scene and panel as mini_dcc.cc, in a Qt application
// the way Maya, Houdini or Nuke host a tool: a QMainWindow whose main thread runs Qt's event loop
// (dccview's QtLoop serves its dispatcher), the panel a QWebEngineView docked in a QDockWidget.
//
//   mini_dcc_qt [--screenshot FILE]
// It drives the panel itself, saves a screenshot of the whole main window (the panel in its dock),
// checks that everything happened, and exits 0 on success.
#include <unistd.h>

#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QMainWindow>
#include <QMetaObject>
#include <QPixmap>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "dccview/qt_loop.h"
#include "dccview/qtwebengine.h"
#include "mini_dcc_panel.h"

namespace {

using namespace std::chrono_literals;

// The host's main window: a stand-in viewport, and a dock on the right for the panel.
QDockWidget* make_main_window(QMainWindow& window) {
  window.setWindowTitle("mini DCC (Qt) - dccview demo on Qt WebEngine");
  window.resize(1280, 680);
  auto* viewport = new QLabel("viewport\n(the host's own widgets)");
  viewport->setAlignment(Qt::AlignCenter);
  viewport->setStyleSheet("background: #3b4250; color: #9aa3b2; font: 18px sans-serif;");
  window.setCentralWidget(viewport);
  auto* dock = new QDockWidget("dccview panel", &window);
  dock->setMinimumWidth(820);
  window.addDockWidget(Qt::RightDockWidgetArea, dock);
  return dock;
}

}  // namespace

int main(int argc, char** argv) {
  std::string screenshot = "demo_qtwebengine.png";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--screenshot") == 0) screenshot = argv[i + 1];
  }
  if (getuid() == 0) setenv("QTWEBENGINE_DISABLE_SANDBOX", "1", 0);  // Chromium refuses root otherwise
  QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);        // Qt WebEngine, before the app
  QApplication app(argc, argv);
  auto main_dispatcher = std::make_shared<dccview::Dispatcher>();
  main_dispatcher->install<dccview::QtLoop>();  // this thread is the DCC main thread
  mini_dcc::Scene scene(*main_dispatcher);

  QMainWindow window;
  QDockWidget* dock = make_main_window(window);
  dccview::WebViewOptions options;
  options.title = "mini DCC panel";
  options.dcc_mode = true;
  options.main_dispatcher = main_dispatcher;
  auto panel = dccview::qtwebengine::create_view(options, main_dispatcher, dock);  // on this thread
  dock->setWidget(static_cast<QWidget*>(panel.widget));
  window.show();
  dccview::WebView& view = *panel.view;
  std::vector<std::thread> jobs;
  mini_dcc::register_handlers(view, scene, *main_dispatcher, jobs);
  view.load_html(mini_dcc::kPanelHtml);

  bool ok = false;
  std::thread pilot([&] {
    ok = mini_dcc::autopilot(view, screenshot, [&](const std::string& path) {
      // The main window as the user sees it, grabbed on the GUI thread through dccview's dispatcher.
      auto saved = main_dispatcher->try_call([&] { return window.grab().save(QString::fromStdString(path)); }, 10s);
      return saved.ok() && saved.value() ? std::string() : std::string("the main window could not be saved");
    });
    for (auto& job : jobs) job.join();
    view.close();  // from this worker: returns once the GUI thread closed the view
    QMetaObject::invokeMethod(&app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
  });
  app.exec();  // the host's main loop: runs the handlers, the job's scene update, the view
  pilot.join();
  main_dispatcher->shutdown();
  main_dispatcher.reset();  // its QObject goes on this (the GUI) thread, before the application
  std::printf("mini DCC (Qt): %s\n", ok ? "demo completed" : "DEMO FAILED");
  return ok ? 0 : 1;
}
