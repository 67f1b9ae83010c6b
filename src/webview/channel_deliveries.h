// Deliveries to the page over a message channel whose native slots answer the page's messages (Qt
// WebEngine's QWebChannel; internal). What the core delivers while the page waits for a slot's answer
// rides on that answer: one message back instead of a reply plus a signal, which is what a page call's
// round trip costs on a bare channel. Deliveries at any other time go as messages of their own (a
// signal). A delivery the core wants acknowledged carries a number that the page echoes once it has
// handled it (js/bridge_world.js). GUI thread only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dccview::webview_detail {

class ChannelDeliveries {
 public:
  // Sends one delivery as a message of its own: (document id, messages JSON, ack: 0 or the number).
  // False when there is no page to send to any more (its widget is gone): the delivery then counts
  // as handled at once, so that nothing waits for an acknowledgement that cannot come.
  using Send = std::function<bool(const std::string& doc, const std::string& messages, int ack)>;

  explicit ChannelDeliveries(Send send) : send_(std::move(send)) {}

  // The backend's deliver(): taken into the answer of the slot running now, else sent.
  void deliver(const std::string& doc, const std::string& messages, std::function<void()> done);

  // Runs a slot's work (`handle`, which may deliver) and returns what it delivered, encoded as the
  // bridge's privileged half reads a slot's answer: "" (nothing), "<doc>\n<messages>" (one delivery,
  // no acknowledgement), or a JSON list of [doc, messages, ack]. A slot entered while another one
  // collects (a nested event loop in a handler) first sends what the outer one collected, so that
  // the page receives everything in the order it was delivered.
  std::string answer_slot(const std::function<void()>& handle);

  // The page handled delivery `ack`: its completion runs (once).
  void acknowledged(int ack);
  // A document that will not acknowledge (navigation, a lost process): every completion runs.
  void release_all();
  // The view is going: completions are dropped unrun.
  void drop_all() { acks_.clear(); }

 private:
  struct Entry {
    std::string doc, messages;
    int ack;
  };
  static std::string encode(const std::vector<Entry>& entries);
  void send(const Entry& entry);

  Send send_;
  std::map<int, std::function<void()>> acks_;
  int next_ack_ = 1;
  std::vector<Entry>* collecting_ = nullptr;  // the running slot's deliveries
};

}  // namespace dccview::webview_detail
