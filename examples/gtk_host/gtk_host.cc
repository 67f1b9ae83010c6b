// A GTK 3 host application (the kind of host GIMP-, Inkscape- or in-house GTK tools are) with a
// dccview web panel docked into its window. The WebView lives in host mode on the GTK main thread,
// driven by the host's own GLib loop; the main-thread dispatcher is a GlibLoop on the same context.
//
//   gtk_host [--screenshot FILE]
// It drives itself from a worker thread (clicks the panel's buttons through the page, streams a job,
// checks that the scene changed only on the main thread and that the panel is visible inside the host
// window by reading the screen's pixels), closes a panel under load, opens and closes one 20 times
// (RSS and threads), saves a screenshot and exits 0 when every step passed.
#include <gdk/gdkx.h>
#include <gtk/gtk.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "dccview/dispatcher.h"
#include "dccview/glib_loop.h"
#include "dccview/webview.h"

namespace {

using namespace std::chrono_literals;

constexpr const char* kPanel = R"html(<!doctype html>
<html><body style="margin:0;font:14px sans-serif;background:#303030;color:#eee">
<div id="marker" style="width:160px;height:80px;background:rgb(255,0,200)"></div>
<button id="add" onclick="add()">Add object</button> <span id="count">0</span> objects
<div>job: <span id="job">idle</span></div>
<script>
  window.progress = 0;
  async function add() {
    const names = await dccview.call("create_object", {kind: "cube"});
    document.getElementById("count").textContent = names.length;
  }
  dccview.on("progress", (p) => { window.progress = p; document.getElementById("job").textContent = p + "%"; });
  dccview.whenReady().then(() => { window.__loaded = true; });
</script></body></html>)html";

// The host's scene: main thread only; touching it elsewhere aborts, as a real host's API would fail.
class Scene {
 public:
  Scene(const dccview::Dispatcher& main, GtkListBox* list) : main_(main), list_(list) {}
  int create(const std::string& kind) {
    if (!main_.is_main_thread()) {
      std::fprintf(stderr, "gtk host: scene touched off the main thread\n");
      std::abort();
    }
    GtkWidget* row = gtk_label_new((kind + std::to_string(++count_)).c_str());
    gtk_list_box_insert(list_, row, -1);
    gtk_widget_show(row);
    return count_;
  }
  int count() const { return count_; }

 private:
  const dccview::Dispatcher& main_;
  GtkListBox* list_;
  int count_ = 0;
};

struct Host {
  GtkWidget* window = nullptr;
  GtkWidget* dock = nullptr;  // the panel area: a native X window the view is docked into
  GtkListBox* list = nullptr;
};

Host build_window() {
  Host host;
  host.window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(host.window), "GTK host - dccview panel");
  gtk_window_set_default_size(GTK_WINDOW(host.window), 900, 560);
  GtkWidget* paned = gtk_paned_new(GTK_ORIENTATION_HORIZONTAL);
  host.list = GTK_LIST_BOX(gtk_list_box_new());
  gtk_widget_set_size_request(GTK_WIDGET(host.list), 260, -1);
  host.dock = gtk_drawing_area_new();
  gtk_paned_pack1(GTK_PANED(paned), GTK_WIDGET(host.list), FALSE, FALSE);
  gtk_paned_pack2(GTK_PANED(paned), host.dock, TRUE, FALSE);
  gtk_container_add(GTK_CONTAINER(host.window), paned);
  gtk_widget_show_all(host.window);
  gdk_window_ensure_native(gtk_widget_get_window(host.dock));  // its own X window to dock into
  return host;
}

// True when the dock's area of the screen shows the page's marker colour.
bool marker_visible(const Host& host, const std::string& png_path) {
  GtkAllocation area;
  gtk_widget_get_allocation(host.dock, &area);
  int x = 0, y = 0;
  gdk_window_get_origin(gtk_widget_get_window(host.dock), &x, &y);
  GdkWindow* root = gdk_get_default_root_window();
  int wx = 0, wy = 0;
  gdk_window_get_origin(gtk_widget_get_window(host.window), &wx, &wy);
  GdkPixbuf* shot = gdk_pixbuf_get_from_window(root, wx, wy, gtk_widget_get_allocated_width(host.window),
                                               gtk_widget_get_allocated_height(host.window));
  if (shot == nullptr) return false;
  gdk_pixbuf_save(shot, png_path.c_str(), "png", nullptr, nullptr);
  const int channels = gdk_pixbuf_get_n_channels(shot), stride = gdk_pixbuf_get_rowstride(shot);
  const guchar* pixels = gdk_pixbuf_get_pixels(shot);
  int hits = 0;
  for (int py = y - wy; py < y - wy + area.height && py < gdk_pixbuf_get_height(shot); ++py) {
    for (int px = x - wx; px < x - wx + area.width && px < gdk_pixbuf_get_width(shot); ++px) {
      const guchar* p = pixels + py * stride + px * channels;
      if (p[0] > 240 && p[1] < 20 && p[2] > 185 && p[2] < 215) ++hits;
    }
  }
  g_object_unref(shot);
  std::printf("gtk host: %d marker pixels inside the dock (%dx%d)\n", hits, area.width, area.height);
  return hits > 160 * 80 / 2;  // at least half the marker block
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

// The autopilot: a worker thread, as a tool's background code would be.
bool autopilot(dccview::WebView& view, dccview::Dispatcher& main, Host& host, Scene& scene,
               const std::string& screenshot) {
  auto proxy = view.get_proxy();
  auto is_true = [&](const std::string& script) {
    auto r = proxy.eval_js_sync(script, 5s);
    return r.ok() && r.value() == "true";
  };
  bool ok = eventually([&] { return is_true("window.__loaded === true"); }, 30s);
  std::printf("gtk host: panel ready: %s\n", ok ? "yes" : "no");
  for (int i = 0; i < 3 && ok; ++i) ok = proxy.eval_js("document.getElementById('add').click()").ok();
  ok = ok && eventually([&] { return main.call([&] { return scene.count(); }, 5s) == 3; }, 10s);
  ok = ok && eventually([&] { return is_true("document.getElementById('count').textContent === '3'"); }, 10s);
  std::printf("gtk host: three objects created on the main thread: %s\n", ok ? "yes" : "no");
  for (int pct = 0; pct <= 100 && ok; pct += 5) ok = proxy.emit("progress", std::to_string(pct)).ok();
  ok = ok && eventually([&] { return is_true("window.progress === 100"); }, 10s);
  std::printf("gtk host: job progress streamed: %s\n", ok ? "yes" : "no");
  // Resize the host: the docked panel follows (set_size from the dock's size-allocate handler).
  main.call([&] { gtk_window_resize(GTK_WINDOW(host.window), 1000, 600); }, 5s);
  std::this_thread::sleep_for(300ms);  // the X server and WebKit repaint; the pixel check retries
  const bool visible =
      eventually([&] { return main.call([&] { return marker_visible(host, screenshot); }, 10s); }, 10s);
  std::printf("gtk host: panel visible inside the host window: %s\n", visible ? "yes" : "no");
  return ok && visible;
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long thread_count() {
  return std::distance(std::filesystem::directory_iterator("/proc/self/task"), std::filesystem::directory_iterator());
}

using Panel = std::unique_ptr<dccview::WebView>;

// Opens another panel docked into the host's dock (over the first one) on the main thread, as a
// host's menu action would.
Panel open_panel(dccview::Dispatcher& main, const dccview::WebViewOptions& docked) {
  return main.call([&] {
    auto panel = std::make_unique<dccview::WebView>(docked);
    panel->load_html(kPanel);
    return panel;
  }, 30s);
}

bool panel_ready(const dccview::WebViewProxy& proxy) {
  return eventually([&] {
    auto r = proxy.eval_js_sync("window.__loaded === true", 5s);
    return r.ok() && r.value() == "true";
  }, 30s);
}

// Closes a panel on the main thread while a worker emits ~1000 events/s into it and another waits in
// synchronous main-thread calls: no crash, no hang, the emitter is told the panel is gone and the
// waiter keeps getting values.
bool close_under_load(dccview::Dispatcher& main, const dccview::WebViewOptions& base, Scene& scene) {
  Panel panel = open_panel(main, base);
  const auto proxy = panel->get_proxy();
  if (!panel_ready(proxy)) return false;
  std::atomic<bool> stop{false}, emitter_told{false};
  std::atomic<int> emitted{0}, values{0}, failures{0};
  std::thread emitter([&] {  // paced: 10 events every 10 ms, on a schedule rather than after a sleep
    for (auto next = std::chrono::steady_clock::now(); !stop; next += 10ms) {
      for (int i = 0; i < 10; ++i, ++emitted) {
        if (proxy.emit("progress", std::to_string(emitted.load())).code() == dccview::ErrorCode::kShutdown) {
          emitter_told = true;
          return;
        }
      }
      std::this_thread::sleep_until(next + 10ms);
    }
  });
  std::thread waiter([&] {
    while (!stop) {
      auto r = main.try_call([&] { return scene.count(); }, 10s);
      r.ok() ? ++values : ++failures;
    }
  });
  const auto emitting_since = std::chrono::steady_clock::now();
  // Both run against the open panel until the emitter has sent 500 events (half a second).
  const bool loaded = eventually([&] { return emitted.load() >= 500; }, 10s);
  const auto started = std::chrono::steady_clock::now();
  const double rate = emitted.load() / std::chrono::duration<double>(started - emitting_since).count();
  main.call([&] { panel->close(); }, 10s);
  const bool told = eventually([&] { return emitter_told.load(); }, 10s);
  const double close_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stop = true;
  emitter.join();
  waiter.join();
  main.call([&] { panel.reset(); }, 10s);
  std::printf("gtk host: close under load: %d events emitted at %.0f/s, emitter told: %s, %d main-thread "
              "values, %d failures, close took %.3f s\n", emitted.load(), rate, told ? "yes" : "no",
              values.load(), failures.load(), close_s);
  return loaded && rate > 700 && told && values > 0 && failures == 0 && close_s < 5.0;
}

// Opens and closes a docked panel 20 times (after one warm-up cycle): RSS must grow less than 20 MB
// and no thread may be left over (WebKit's helper threads of the last panel get a bounded while to
// exit).
bool open_close_cycles(dccview::Dispatcher& main, const dccview::WebViewOptions& base) {
  auto cycle = [&] {
    Panel panel = open_panel(main, base);
    const bool ready = panel_ready(panel->get_proxy());
    main.call([&] { panel.reset(); }, 10s);  // closes and destroys it on the main thread
    return ready;
  };
  bool ok = cycle();
  const long rss_before = rss_kib(), threads_before = thread_count();
  for (int i = 0; i < 20; ++i) ok = cycle() && ok;
  const bool no_leftover_threads = eventually([&] { return thread_count() <= threads_before; }, 5s);
  const long rss_growth = rss_kib() - rss_before, threads_after = thread_count();
  std::printf("gtk host: 20 docked open/close cycles: RSS %+ld KiB, threads %ld -> %ld\n", rss_growth,
              threads_before, threads_after);
  return ok && rss_growth < 20 * 1024 && no_leftover_threads;
}

void on_dock_resized(GtkWidget*, GdkRectangle* area, gpointer view) {
  static_cast<dccview::WebView*>(view)->set_size(area->width, area->height);
}

}  // namespace

int main(int argc, char** argv) {
  std::string screenshot = "gtk_host.png";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--screenshot") == 0) screenshot = argv[i + 1];
  }
  gtk_init(&argc, &argv);
  auto main_dispatcher = std::make_shared<dccview::Dispatcher>();
  main_dispatcher->install<dccview::GlibLoop>(nullptr);  // the GTK main loop serves dccview
  Host host = build_window();
  Scene scene(*main_dispatcher, host.list);

  dccview::WebViewOptions options;
  options.thread_mode = dccview::ThreadMode::kHost;  // on this (the GTK main) thread
  options.dcc_mode = true;
  options.main_dispatcher = main_dispatcher;
  options.parent = gdk_x11_window_get_xid(gtk_widget_get_window(host.dock));
  options.width = gtk_widget_get_allocated_width(host.dock);
  options.height = gtk_widget_get_allocated_height(host.dock);
  auto view = std::make_unique<dccview::WebView>(options);
  view->on("create_object", [&](const std::string&) {  // dcc_mode: on this thread
    scene.create("cube");
    std::string ids = "[";
    for (int i = 1; i <= scene.count(); ++i) ids += (i > 1 ? "," : "") + std::to_string(i);
    return ids + "]";
  });
  g_signal_connect(host.dock, "size-allocate", G_CALLBACK(on_dock_resized), view.get());
  view->load_html(kPanel);

  std::atomic<bool> ok{false};
  std::thread pilot([&] {
    ok = autopilot(*view, *main_dispatcher, host, scene, screenshot) &&
         close_under_load(*main_dispatcher, options, scene) && open_close_cycles(*main_dispatcher, options);
    main_dispatcher->post([&] {
      g_signal_handlers_disconnect_by_data(host.dock, view.get());
      view->close();  // on the view's own thread: schedules the teardown on this loop
      gtk_main_quit();
    });
  });
  gtk_main();
  pilot.join();
  while (g_main_context_pending(nullptr)) g_main_context_iteration(nullptr, FALSE);  // the teardown
  view.reset();
  gtk_widget_destroy(host.window);
  std::printf("gtk host: %s\n", ok ? "all steps passed" : "FAILED");
  return ok ? 0 : 1;
}
