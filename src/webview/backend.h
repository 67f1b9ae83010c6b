// src/webview/backend.h: what a platform WebView implements (internal). One backend per platform
// folder (src/platform/<name>/); create_backend() is defined by the one that is built.
//
// Every Backend method runs on the WebView (UI) thread only; so do the BackendEvents callbacks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dccview/errors.h"
#include "dccview/webview.h"

namespace dccview {

class Dispatcher;

namespace webview_detail {

class BackendEvents {
 public:
  virtual ~BackendEvents() = default;
  // A message the page bridge posted (JSON text, unparsed).
  virtual void on_page_message(const std::string& text) = 0;
  // A navigation started: the page's pending calls are gone and its bridge will say hello again.
  virtual void on_navigation_started() = 0;
  // The process running the page died (crash, out of memory, killed): `reason` says which.
  virtual void on_web_process_terminated(const std::string& reason) = 0;
  // The user asked to close the window (its close button); the window stays until close() ends.
  virtual void on_close_requested() = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual void load_html(const std::string& html, const std::string& base_url) = 0;
  virtual void load_url(const std::string& url) = 0;
  virtual void reload() = 0;
  // The top-level document's URL.
  virtual std::string current_url() = 0;
  // Fire-and-forget; page errors are logged. `done`, if given, runs (on the UI thread) once the page
  // has run the script.
  virtual void evaluate(const std::string& script, std::function<void()> done = {}) = 0;
  // Hands a JSON array of messages (protocol::message_list) to the bridge, for document `doc` (the id
  // its hello carried): a document that replaced it drops them. They go through the bridge's
  // privileged half (js/bridge_world.js, __dccviewDeliver in dccview's script world) to the page's
  // delivery function, which reads them with JSON.parse. The code run is the same every time, so
  // the page compiles it once; the messages are data, never script. `done`, if given, runs (on the
  // UI thread) once the page has handled them; without it nothing comes back from the page.
  virtual void deliver(const std::string& doc, const std::string& messages_json,
                       std::function<void()> done = {}) = 0;
  // Awaits the script's Promise; exactly one callback: result, error, or TimeoutError.
  virtual void evaluate_async(const std::string& script, EvalCallback callback,
                              std::chrono::milliseconds timeout) = 0;
  virtual void show() = 0;
  virtual void hide() = 0;
  virtual void set_title(const std::string& title) = 0;
  virtual void set_size(int width, int height) = 0;
  virtual std::uint64_t native_handle() = 0;
  // Opens the inspector; false when developer extras are off (the view was not created with debug).
  virtual bool show_inspector() = 0;
  virtual void save_png(const std::string& path, std::function<void(Result<void>)> done) = 0;
  // The current document's bridge said hello: the document exists (engines that hold scripts back
  // while the view navigates release them here).
  virtual void document_ready() {}
};

// What a platform folder gives the shared core (src/webview): where a view lives, how its own queue is
// served there, and the backend itself. The core touches no platform API; tests and the router fuzz
// target (tests/fuzz/router_fuzz.cc) give it a platform of their own.
struct Platform {
  // The dispatcher of the thread a view with `mode` lives on (see thread_for()). Thread-safe.
  std::function<std::shared_ptr<Dispatcher>(ThreadMode mode)> thread_for;
  // Installs the loop that serves a view's own queue (shutdown accounting) on the WebView thread;
  // runs there.
  std::function<void(const std::shared_ptr<Dispatcher>& view_queue)> install_view_loop;
  // See create_backend() below; runs on the WebView thread.
  std::function<std::unique_ptr<Backend>(const WebViewOptions& options, BackendEvents& events,
                                         const std::string& bridge_token)>
      create_backend;
  // Whether `thread` (one thread_for() gave) is dccview's own WebView thread rather than a thread the
  // host runs; unset: never (views live on the host's thread). Thread-safe.
  std::function<bool(const std::shared_ptr<Dispatcher>& thread)> is_dedicated = {};
};

// The platform this build was made for (the platform folder that is built). Thread-safe.
const Platform& default_platform();

// Creates the platform backend. UI thread only.
// The backend injects both halves of the bridge at document start, in the top frame only: js/bridge.js
// in the page's script world and js/bridge_world.js in a script world of dccview's own, the only one
// where the page message handler exists. `bridge_token` replaces the token placeholder in
// js/bridge_world.js; it must never reach the page's world.
std::unique_ptr<Backend> create_backend(const WebViewOptions& options, BackendEvents& events,
                                        const std::string& bridge_token);
// Releases what the platform keeps for the process (the web context). UI thread only, at exit.
void release_platform_globals();

// The process-wide WebView thread (dedicated mode), started on first use and stopped at exit.
// Throws std::runtime_error when the platform cannot start (no display). Thread-safe.
std::shared_ptr<Dispatcher> ui_thread();

// The dispatcher of the thread a WebView with `mode` lives on: the dedicated thread, or (host mode)
// the calling thread, which gets a dispatcher on the default GLib context the first time. Throws
// std::runtime_error when the mode cannot work here (see ThreadMode). Thread-safe.
std::shared_ptr<Dispatcher> thread_for(ThreadMode mode);

}  // namespace webview_detail
}  // namespace dccview
