#include "webview/channel_deliveries.h"

#include <utility>

namespace dccview::webview_detail {

void ChannelDeliveries::deliver(const std::string& doc, const std::string& messages, std::function<void()> done) {
  int ack = 0;
  if (done) {
    ack = next_ack_++;
    acks_.emplace(ack, std::move(done));
  }
  if (!send_(doc, messages, ack) && ack != 0) acknowledged(ack);
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

}  // namespace dccview::webview_detail
