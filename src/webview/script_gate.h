// Scripts given while a view navigates wait for the new document (internal; used by the engines).
//
// An engine runs a script given during a navigation in whichever document it has at that moment:
// WebKitGTK often in the document being replaced (an evaluation right after load_html answered from
// the old page), Qt WebEngine in either, and the answer of one run in the replaced document never
// comes (measured: about one such evaluation in three waited out its timeout). With the gate, a
// script given after load_html, load_url, reload or a navigation the page started runs in the new
// document: the gate opens when that document's bridge says hello (Backend::document_ready) or when
// the load ends without one (a page that has no bridge, a failed load). Each navigation counts as a
// new document, so an engine can tell evaluations left in a replaced document (document() at the
// time they were given is older). WebView thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace dccview::webview_detail {

class ScriptGate {
 public:
  // A navigation begins (a load the view made, or one the page started). Idempotent until it ends.
  void begin() {
    if (navigating_) return;
    navigating_ = true;
    ++document_;
  }
  // The new document exists, or the load ended: runs the held scripts in the order they were given.
  // False when no navigation was pending.
  bool end() {
    if (!navigating_) return false;
    navigating_ = false;
    auto held = std::move(held_);
    held_.clear();
    for (auto& script : held) script();
    return true;
  }
  // Runs `script` now, or once the navigation ends.
  void run(std::function<void()> script) {
    if (navigating_) {
      held_.push_back(std::move(script));
    } else {
      script();
    }
  }
  // Navigations begun so far: the document a script given now runs in.
  std::uint64_t document() const { return document_; }
  // The view is going: held scripts are dropped unrun.
  void drop() { held_.clear(); }

 private:
  bool navigating_ = false;
  std::uint64_t document_ = 0;
  std::vector<std::function<void()>> held_;
};

}  // namespace dccview::webview_detail
