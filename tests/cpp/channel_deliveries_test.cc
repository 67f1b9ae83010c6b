// ChannelDeliveries (webview/channel_deliveries.h): what a Qt WebEngine backend delivers inside a
// channel slot rides on the slot's answer, in order; acknowledgements run each completion once.
#include "webview/channel_deliveries.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

TEST(ChannelDeliveries, OutsideASlotADeliveryIsSentAtOnce) {
  Fixture f;
  f.deliveries.deliver("d1", "[1]", nullptr);
  ASSERT_EQ(f.sent.size(), 1u);
  EXPECT_EQ(f.sent[0], Sent("d1", "[1]", 0));
}

TEST(ChannelDeliveries, ADeliveryInsideASlotRidesOnItsAnswer) {
  Fixture f;
  const std::string answer = f.deliveries.answer_slot([&] { f.deliveries.deliver("abc", R"([{"id":1}])", nullptr); });
  EXPECT_EQ(answer, "abc\n[{\"id\":1}]");
  EXPECT_TRUE(f.sent.empty());
  EXPECT_EQ(f.deliveries.answer_slot([] {}), "");  // nothing delivered: an empty answer
}

TEST(ChannelDeliveries, SeveralOrAcknowledgedDeliveriesAnswerAsAJsonListInOrder) {
  Fixture f;
  int done = 0;
  const std::string answer = f.deliveries.answer_slot([&] {
    f.deliveries.deliver("d1", "[\"a\\nb\"]", nullptr);  // text that needs quoting
    f.deliveries.deliver("d1", "[2]", [&] { ++done; });
  });
  const auto list = nlohmann::json::parse(answer);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], nlohmann::json::array({"d1", "[\"a\\nb\"]", 0}));
  EXPECT_EQ(list[1][0], "d1");
  EXPECT_EQ(list[1][1], "[2]");
  const int ack = list[1][2];
  EXPECT_NE(ack, 0);
  EXPECT_EQ(done, 0);
  f.deliveries.acknowledged(ack);
  f.deliveries.acknowledged(ack);  // a repeated acknowledgement runs nothing
  EXPECT_EQ(done, 1);
}

TEST(ChannelDeliveries, ANestedSlotSendsWhatTheOuterCollectedFirst) {
  Fixture f;
  std::string inner;
  const std::string outer = f.deliveries.answer_slot([&] {
    f.deliveries.deliver("d", "[1]", nullptr);
    inner = f.deliveries.answer_slot([&] { f.deliveries.deliver("d", "[2]", nullptr); });  // a nested loop
    f.deliveries.deliver("d", "[3]", nullptr);
  });
  // The page sees [1] (sent when the nested slot began), [2] (its answer), then [3] (the outer answer).
  ASSERT_EQ(f.sent.size(), 1u);
  EXPECT_EQ(f.sent[0], Sent("d", "[1]", 0));
  EXPECT_EQ(inner, "d\n[2]");
  EXPECT_EQ(outer, "d\n[3]");
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
  EXPECT_EQ(done, 1);
  EXPECT_TRUE(f.sent.empty());
}

TEST(ChannelDeliveries, ASlotThatThrowsStopsCollecting) {
  Fixture f;
  EXPECT_THROW(f.deliveries.answer_slot([] { throw std::runtime_error("handler"); }), std::runtime_error);
  f.deliveries.deliver("d", "[1]", nullptr);  // outside any slot again: sent
  EXPECT_EQ(f.sent.size(), 1u);
}

}  // namespace
}  // namespace dccview::webview_detail
