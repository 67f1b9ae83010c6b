// Bare QWebChannel round trips (bench only): the reference for dccview's Qt WebEngine calls
// (raw_message) and the steps from it to dccview's shape, each measured in the same run so that the
// cost of each step shows (docs/performance.md, "Qt WebEngine").
#pragma once

#include <memory>
#include <string>

#include "dccview/dispatcher.h"
#include "web_bench_support.h"

class QWebEngineView;

namespace dccview::bench {

enum class RawShape {
  // raw_message: the page calls a slot that returns the value; it awaits the channel's reply.
  kReply,
  // raw_signal: the slot sends the value back as a signal of its object, inside the channel's call.
  kSignal,
  // raw_signal_queued: the same signal, sent from Qt's loop once the call returned (dccview handles
  // page messages there: a handler's modal dialog must not run inside Chromium's task).
  kSignalQueued,
  // raw_two_worlds_queued: kSignalQueued with the channel in an isolated script world that the page
  // reaches through events on its document, both ways: dccview's shape with no bridge code.
  kTwoWorldsQueued,
};

const char* impl_name(RawShape shape);

// A bare QWebEngineView with one channel object; made, used and deleted through `gui`, the GUI
// thread's dispatcher; its methods are called from a worker.
class RawChannelView {
 public:
  RawChannelView(RawShape shape, std::shared_ptr<Dispatcher> gui);
  ~RawChannelView();
  RawChannelView(const RawChannelView&) = delete;
  RawChannelView& operator=(const RawChannelView&) = delete;

  // `calls` round trips one after another, then the round's end for arrivals().
  void run_round(int calls);
  // Each arrival at the channel's object: one round trip apart.
  Arrivals& arrivals();

 private:
  std::string run(const std::string& script);  // in the page's world; its value as text

  RawShape shape_;
  std::shared_ptr<Dispatcher> gui_;
  QWebEngineView* view_ = nullptr;  // GUI thread only
  class Echo* echo_ = nullptr;      // the view's child
};

}  // namespace dccview::bench
