// ChannelDeliveries (webview/channel_deliveries.h): deliveries go out in order, and acknowledgements run
// each completion once; a page that is gone acknowledges nothing, so its deliveries count as handled.
#include "webview/channel_deliveries.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace dccview::webview_detail {
namespace {

using Sent = std::tuple<std::string, std::string, int>;

struct Fixture {
  std::vector<Sent> sent;
  bool page_alive = true;
  ChannelDeliveries deliveries{[this](const std::string& doc, const std::string& messages, int ack) {
    if (!page_alive) return false;
    sent.emplace_back(doc, messages, ack);
    return true;
  }};
};

TEST(ChannelDeliveries, DeliveriesGoOutInOrderAndOnlyThoseWithACompletionCarryANumber) {
  Fixture f;
  f.deliveries.deliver("d1", "[1]", nullptr);
  f.deliveries.deliver("d1", "[2]", [] {});
  f.deliveries.deliver("d2", "[3]", [] {});
  ASSERT_EQ(f.sent.size(), 3u);
  EXPECT_EQ(f.sent[0], Sent("d1", "[1]", 0));
  EXPECT_EQ(std::get<1>(f.sent[1]), "[2]");
  EXPECT_NE(std::get<2>(f.sent[1]), 0);
  EXPECT_NE(std::get<2>(f.sent[2]), std::get<2>(f.sent[1]));
}

TEST(ChannelDeliveries, AnAcknowledgementRunsItsCompletionOnce) {
  Fixture f;
  int done = 0;
  f.deliveries.deliver("d", "[1]", [&] { ++done; });
  const int ack = std::get<2>(f.sent.back());
  f.deliveries.acknowledged(ack);
  f.deliveries.acknowledged(ack);  // repeated by a confused page: nothing more
  f.deliveries.acknowledged(ack + 100);  // never sent: nothing
  EXPECT_EQ(done, 1);
}

TEST(ChannelDeliveries, ReleaseRunsEveryCompletionAndDropRunsNone) {
  Fixture f;
  int done = 0;
  f.deliveries.deliver("d", "[1]", [&] { ++done; });
  f.deliveries.deliver("d", "[2]", [&] { ++done; });
  f.deliveries.release_all();  // navigation: the document will not acknowledge
  EXPECT_EQ(done, 2);
  f.deliveries.deliver("d", "[3]", [&] { ++done; });
  f.deliveries.drop_all();  // the view is going
  f.deliveries.acknowledged(std::get<2>(f.sent.back()));
  EXPECT_EQ(done, 2);
}

TEST(ChannelDeliveries, WithNoPageADeliveryCountsAsHandledAtOnce) {
  Fixture f;
  f.page_alive = false;
  int done = 0;
  f.deliveries.deliver("d", "[1]", [&] { ++done; });
  f.deliveries.deliver("d", "[2]", nullptr);
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(f.sent.empty());
}

}  // namespace
}  // namespace dccview::webview_detail
