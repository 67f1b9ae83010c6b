// Deliveries to the page over a message channel (Qt WebEngine's QWebChannel; internal): each one goes
// as a message of its own, and one the core wants acknowledged carries a number that the page echoes
// once it has handled it (js/bridge_world.js). Shared by the C++ and Python Qt WebEngine backends.
// GUI thread only.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace dccview::webview_detail {

class ChannelDeliveries {
 public:
  // Sends one delivery: (document id, messages JSON, ack: 0 or the number). False when there is no
  // page to send to any more (its widget is gone): the delivery then counts as handled at once, so
  // that nothing waits for an acknowledgement that cannot come.
  using Send = std::function<bool(const std::string& doc, const std::string& messages, int ack)>;

  explicit ChannelDeliveries(Send send) : send_(std::move(send)) {}

  // The backend's deliver(). `done`, if given, runs once the page acknowledged the delivery.
  void deliver(const std::string& doc, const std::string& messages, std::function<void()> done);
  // The page handled delivery `ack`: its completion runs (once).
  void acknowledged(int ack);
  // A document that will not acknowledge (navigation, a lost process): every completion runs.
  void release_all();
  // The view is going: completions are dropped unrun.
  void drop_all() { acks_.clear(); }

 private:
  Send send_;
  std::map<int, std::function<void()>> acks_;
  int next_ack_ = 1;
};

}  // namespace dccview::webview_detail
