// WebView on WebKitGTK, under a real display (Xvfb in CI): the engine under the shared suite
// (webview_suite_*.cc), and what only WebKitGTK has (docking into X11 windows, its inspector, the
// window manager's close button). A separate binary with a longer timeout.
#include "dccview/webview.h"

#include <gtest/gtest.h>

#include <X11/Xlib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dccview/dispatcher.h"
#include "processes.h"
#include "webview_fixture.h"

namespace dccview {
namespace test_engine {

const char* name() { return "webkitgtk"; }

std::unique_ptr<WebView> make_view(WebViewOptions options) { return std::make_unique<WebView>(std::move(options)); }

// The WebKit web processes this test process started (children named WebKitWebProcess).
int kill_renderers() {
  int killed = 0;
  for (const auto& [pid, info] : test::processes()) {
    if (info.parent == getpid() && info.name.rfind("WebKitWebProces", 0) == 0 && kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

const char* native_channel_from_page() {
  return "window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.dccview";
}

std::string native_channel_post(const std::string& message) {
  return "window.webkit.messageHandlers.dccview.postMessage(" + message + ")";
}

}  // namespace test_engine

namespace {

// A host that destroys the window a view is docked into (a panel deleted) takes the view's X window
// with it: the view closes gracefully instead of GTK destroying its widgets under it (that crashed).
// A mapped top-level X window of another connection, standing in for a host's dock.
Window make_host_window(Display* display) {
  const Window host = XCreateSimpleWindow(display, DefaultRootWindow(display), 0, 0, 400, 300, 0, 0, 0);
  XMapWindow(display, host);
  XSync(display, False);
  return host;
}


TEST_F(WebViewTest, DestroyingTheWindowAViewIsDockedIntoClosesTheViewGracefully) {
  open(false);
  Display* display = XOpenDisplay(nullptr);
  ASSERT_NE(display, nullptr);
  const Window host = make_host_window(display);
  WebView docked(docked_into(host));
  docked.load_html(kPage);
  ASSERT_TRUE(page_loaded(docked));
  XDestroyWindow(display, host);
  XSync(display, False);
  XCloseDisplay(display);
  EXPECT_TRUE(testing::eventually([&] { return docked.is_closed(); }, 20s)) << "the view never closed";
  EXPECT_EQ(docked.emit("tick", "1").code(), ErrorCode::kShutdown);
  docked.set_size(300, 200);  // no-ops now, not crashes
  docked.show();
  EXPECT_EQ(docked.native_handle(), 0u);
  load_page();  // the other view and its WebView thread are unaffected
  EXPECT_EQ(eval("1 + 1"), "2");
}

// A host that destroys the window a view was docked into as soon as the view says it closed (a
// panel's teardown): the view's own X requests must all have reached the server by then, or one of
// them names a window the host's destruction removed and GDK ends the process (BadWindow).
TEST_F(WebViewTest, AHostMayDestroyTheDockWindowTheMomentTheViewReportsItClosed) {
  open(false);
  Display* display = XOpenDisplay(nullptr);
  ASSERT_NE(display, nullptr);
  for (int round = 0; round < 8; ++round) {
    const Window host = make_host_window(display);
    WebView docked(docked_into(host));
    std::atomic<bool> host_destroyed{false};
    docked.on("dccview:closed", [&](const std::string&) {  // at once, from the closing thread
      XDestroyWindow(display, host);
      XSync(display, False);
      host_destroyed = true;
      return std::string("null");
    });
    docked.load_html(kPage);
    ASSERT_TRUE(page_loaded(docked));
    docked.close();
    ASSERT_TRUE(testing::eventually([&] { return host_destroyed.load(); }, 20s));
  }
  XCloseDisplay(display);
  load_page();  // the process and its WebView thread carry on
  EXPECT_EQ(eval("1 + 1"), "2");
}

// The names of the top-level X11 windows (Xvfb runs no window manager: they are the root's children).
std::vector<std::string> toplevel_window_names() {
  std::vector<std::string> names;
  Display* display = XOpenDisplay(nullptr);
  if (display == nullptr) return names;
  Window root = 0, parent = 0, *children = nullptr;
  unsigned count = 0;
  if (XQueryTree(display, DefaultRootWindow(display), &root, &parent, &children, &count)) {
    for (unsigned i = 0; i < count; ++i) {
      char* name = nullptr;
      if (XFetchName(display, children[i], &name) && name != nullptr) {
        names.emplace_back(name);
        XFree(name);
      }
    }
    if (children) XFree(children);
  }
  XCloseDisplay(display);
  return names;
}

bool an_inspector_window_is_open() {
  for (const std::string& name : toplevel_window_names()) {
    if (name.find("Inspector") != std::string::npos) return true;
  }
  return false;
}

// WebKit docks the inspector into the view's window when there is room (the page then gets less
// height) and opens a window of its own otherwise: either counts as shown.
TEST_F(WebViewTest, DebugViewsOpenTheInspectorOthersRefuseWithAClearError) {
  open(false, /*debug=*/true);
  load_page();
  const std::string height_before = eval("window.innerHeight");
  ASSERT_FALSE(an_inspector_window_is_open());
  ASSERT_TRUE(view_->show_inspector().ok());
  std::string height_after;
  EXPECT_TRUE(testing::eventually([&] {
    height_after = eval("window.innerHeight");
    return an_inspector_window_is_open() || std::stoi(height_after) < std::stoi(height_before);
  }, 20s)) << "page height stayed " << height_after << " and no inspector window appeared";

  WebViewOptions plain_options;
  plain_options.main_dispatcher = main_;
  WebView plain(plain_options);
  const Result<void> refused = plain.show_inspector();
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("debug=true"), std::string::npos) << refused.error().message;
  plain.close();
  EXPECT_EQ(plain.show_inspector().code(), ErrorCode::kShutdown);
}

// Docking: the view's window becomes a child of the given native window.
TEST_F(WebViewTest, AParentWindowIdDocksTheViewInsideIt) {
  open(false);
  const std::uint64_t host_window = view_->native_handle();  // plays the host's panel
  ASSERT_NE(host_window, 0u);
  WebViewOptions docked_options;
  docked_options.parent = host_window;
  WebView docked(docked_options);
  const std::uint64_t docked_window = docked.native_handle();
  ASSERT_NE(docked_window, 0u);
  Display* display = XOpenDisplay(nullptr);
  ASSERT_NE(display, nullptr);
  Window root = 0, parent = 0, *children = nullptr;
  unsigned count = 0;
  ASSERT_TRUE(testing::eventually([&] {
    XSync(display, False);
    if (!XQueryTree(display, static_cast<Window>(docked_window), &root, &parent, &children, &count)) return false;
    if (children) XFree(children);
    return parent == static_cast<Window>(host_window);
  }, 10s)) << "parent is " << parent << ", expected " << host_window;
  XCloseDisplay(display);
}

// The window's close button (WM_DELETE_WINDOW, what a window manager sends) closes the view
// gracefully and tells native code once through the closed event, as every other way of closing does.
TEST_F(WebViewTest, TheWindowCloseButtonClosesGracefullyAndTheClosedEventFiresOnce) {
  open(false);
  std::atomic<int> closed_events{0};
  view_->on(kClosedEvent, [&](const std::string& data) {
    EXPECT_EQ(data, "{}");
    ++closed_events;
    return std::string("null");
  });
  load_page();
  const std::uint64_t window = view_->native_handle();
  Display* display = XOpenDisplay(nullptr);
  ASSERT_NE(display, nullptr);
  XEvent event{};
  event.xclient.type = ClientMessage;
  event.xclient.window = static_cast<Window>(window);
  event.xclient.message_type = XInternAtom(display, "WM_PROTOCOLS", False);
  event.xclient.format = 32;
  event.xclient.data.l[0] = static_cast<long>(XInternAtom(display, "WM_DELETE_WINDOW", False));
  event.xclient.data.l[1] = CurrentTime;
  XSendEvent(display, static_cast<Window>(window), False, NoEventMask, &event);
  XFlush(display);
  XCloseDisplay(display);
  ASSERT_TRUE(testing::eventually([&] { return view_->is_closed() && closed_events.load() == 1; }, 10s))
      << "closed=" << view_->is_closed() << " closed events=" << closed_events.load();
  EXPECT_EQ(view_->get_proxy().emit("tick", "1").code(), ErrorCode::kShutdown);
  view_->close();  // idempotent: no second closed event
  EXPECT_EQ(closed_events.load(), 1);
}

// Without a GLib host loop, "auto" puts views on dccview's own WebView thread, and the view says so.
TEST_F(WebViewTest, AnAutoViewWithoutAHostLoopSaysItIsOnTheDedicatedThread) {
  open(false);
  EXPECT_EQ(view_->thread_mode(), ThreadMode::kDedicated);
  view_->close();
  EXPECT_EQ(view_->thread_mode(), ThreadMode::kDedicated) << "where it lived, also once closed";
}

}  // namespace
}  // namespace dccview
