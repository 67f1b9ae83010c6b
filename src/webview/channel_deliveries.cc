#include "webview/channel_deliveries.h"

#include <utility>

#include "webview/protocol.h"

namespace dccview::webview_detail {

void ChannelDeliveries::deliver(const std::string& doc, const std::string& messages, std::function<void()> done) {
  int ack = 0;
  if (done) {
    ack = next_ack_++;
    acks_.emplace(ack, std::move(done));
  }
  if (collecting_ != nullptr) {
    collecting_->push_back(Entry{doc, messages, ack});
  } else {
    send(Entry{doc, messages, ack});
  }
}

void ChannelDeliveries::send(const Entry& entry) {
  if (!send_(entry.doc, entry.messages, entry.ack) && entry.ack != 0) acknowledged(entry.ack);
}

std::string ChannelDeliveries::answer_slot(const std::function<void()>& handle) {
  std::vector<Entry> entries;
  std::vector<Entry>* outer = std::exchange(collecting_, &entries);
  if (outer != nullptr) {  // nested: what the outer slot collected goes first
    auto earlier = std::move(*outer);
    outer->clear();
    for (const auto& entry : earlier) send(entry);
  }
  struct Restore {
    std::vector<Entry>*& slot;
    std::vector<Entry>* previous;
    ~Restore() { slot = previous; }
  } restore{collecting_, outer};
  handle();
  return encode(entries);
}

void ChannelDeliveries::acknowledged(int ack) {
  auto found = acks_.find(ack);
  if (found == acks_.end()) return;
  auto done = std::move(found->second);
  acks_.erase(found);
  done();
}

void ChannelDeliveries::release_all() {
  auto acks = std::move(acks_);
  acks_.clear();
  for (auto& [ack, done] : acks) done();
}

std::string ChannelDeliveries::encode(const std::vector<Entry>& entries) {
  if (entries.empty()) return {};
  // Document ids are hex: a plain answer never starts with "[".
  if (entries.size() == 1 && entries.front().ack == 0) return entries.front().doc + "\n" + entries.front().messages;
  std::string list = "[";
  for (const auto& entry : entries) {
    if (list.size() > 1) list += ',';
    list += "[" + protocol::quote(entry.doc) + "," + protocol::quote(entry.messages) + "," +
            std::to_string(entry.ack) + "]";
  }
  return list + "]";
}

}  // namespace dccview::webview_detail
