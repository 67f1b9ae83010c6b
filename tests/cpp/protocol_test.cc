// The page protocol's parser and encoders, without a WebView.
#include "webview/protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "webview/plain_json.h"

namespace dccview::protocol {
namespace {

constexpr std::size_t kLimit = 1 << 20;
const std::string kToken = "t0k3n";

Invalid invalid(const std::string& text) {
  auto message = parse(text, kLimit);
  EXPECT_TRUE(std::holds_alternative<Invalid>(message)) << text;
  return std::holds_alternative<Invalid>(message) ? std::get<Invalid>(message) : Invalid{};
}

TEST(Protocol, MessageListsAreJsonArraysOfAnswersThenEvents) {
  EXPECT_EQ(message_list("", ""), "");
  const std::string answers = result_message(1, "{\"a\":1}") + "," + error_message(2, "HandlerError", "no") + ",";
  const std::string only_answers = message_list(answers, "");
  EXPECT_EQ(only_answers.front(), '[');
  EXPECT_EQ(only_answers.back(), ']');
  EXPECT_EQ(only_answers.find(",]"), std::string::npos);
  std::string events;
  ASSERT_TRUE(append_event(events, "tick", "[1,2]"));
  ASSERT_TRUE(append_event(events, "line\u2028</script>", "\"x\""));
  const std::string both = message_list(answers, events);
  const std::string only_events = message_list("", events);
  for (const std::string& list : {only_answers, both, only_events}) {
    const auto parsed = normalize_json(list);
    ASSERT_TRUE(parsed.has_value()) << list;
  }
  EXPECT_NE(both.find("\"type\":\"events\""), std::string::npos);
  EXPECT_LT(both.find("\"id\":2"), both.find("\"type\":\"events\"")) << "answers first, then the events";
}

TEST(Protocol, ParsesCallsEmitsAndHellos) {
  auto call = parse(R"({"type":"call","id":3,"method":"add","params":{"a":1}})", kLimit);
  ASSERT_TRUE(std::holds_alternative<Call>(call));
  EXPECT_EQ(std::get<Call>(call).id, 3u);
  EXPECT_EQ(std::get<Call>(call).method, "add");
  EXPECT_EQ(std::get<Call>(call).params_json, R"({"a":1})");
  EXPECT_TRUE(std::holds_alternative<Emit>(
      parse(R"({"type":"emit","event":"e","data":[1]})", kLimit)));
  EXPECT_TRUE(std::holds_alternative<Hello>(parse(R"({"type":"hello"})", kLimit)));
}

TEST(Protocol, EveryBadInputHasADefinedAnswer) {
  EXPECT_EQ(invalid("{not json").name, "ProtocolError");
  EXPECT_EQ(invalid("42").name, "ProtocolError");
  const auto unknown = invalid(R"({"type":"teleport","id":9})");
  EXPECT_EQ(unknown.name, "ProtocolError");
  EXPECT_EQ(unknown.id.value_or(0), 9u);
  EXPECT_EQ(invalid(R"({"type":"call","id":"x","method":"m"})").name, "ProtocolError");
  EXPECT_EQ(invalid(R"({"type":"call","id":2,"method":5})").id.value_or(0), 2u);
  EXPECT_EQ(invalid(R"({"type":"emit","event":7})").name, "ProtocolError");
  const auto deep = invalid(R"({"type":"call","id":5,"params":)" + std::string(100000, '[') +
                            std::string(100000, ']') + "}");
  EXPECT_EQ(deep.name, "ProtocolError");
  EXPECT_EQ(deep.id.value_or(0), 5u) << "answered by id even though it was never parsed";
  const auto big = parse(R"({"type":"call","id":6,"params":")" + std::string(2 << 20, 'x') + "\"}", kLimit);
  ASSERT_TRUE(std::holds_alternative<Invalid>(big));
  EXPECT_EQ(std::get<Invalid>(big).name, "PayloadTooLargeError");
  EXPECT_EQ(std::get<Invalid>(big).id.value_or(0), 6u);
  EXPECT_EQ(invalid(R"({"type":"call","id":1,"method":"m","params":"\ud800"})").name,
            "ProtocolError") << "a lone surrogate escape";
}

TEST(Protocol, EncodingIsAsciiOnlyAndNeverSplicesRawText) {
  EXPECT_EQ(quote("</script>\u2028\"'"), R"("</script>\u2028\"'")");
  EXPECT_EQ(normalize_json("{\"s\":\"\xe2\x80\xa9\"}").value(), R"({"s":"\u2029"})");
  EXPECT_FALSE(normalize_json("1); alert(1").has_value());
  EXPECT_FALSE(normalize_json("\"\xff\"").has_value()) << "JSON text with invalid UTF-8 is refused";
  EXPECT_EQ(quote("bad \xff byte"), R"("bad \ufffd byte")") << "in names dccview encodes, it is replaced";
}

// Plain JSON (printable ASCII, no '<', no \u escapes) crosses as it is; everything else is parsed and
// re-encoded, and invalid text is refused either way.
TEST(Protocol, PlainJsonPassesAsItIsAndTheFastPathAcceptsNothingInvalid) {
  for (const char* plain : {"0", "-12.5", "true", "null", "\"tick\"", "[1,2,[3]]", " {\"a\" : [1, {\"b\":\"c\\n\"}]} ",
                            "{}", "[]", "\"a\\\"b\\/c\""}) {
    EXPECT_TRUE(is_plain_json(plain, 512)) << plain;
    EXPECT_EQ(normalize_json(plain).value(), plain);
  }
  for (const char* invalid_json : {"", "01", "1.", "-", "1e", "[1,]", "{\"a\"1}", "{\"a\":}", "tru", "\"abc",
                                   "[1 2]", "{,}", "\"\\x\"", "nul", "[", "]", "1 2"}) {
    EXPECT_FALSE(is_plain_json(invalid_json, 512)) << invalid_json;
    EXPECT_FALSE(normalize_json(invalid_json).has_value()) << invalid_json;
  }
  for (const char* reencoded : {"\"</script>\"", "\"\\u0041\"", "\"\xc3\xa9\"", "-12.5e+3"}) {
    EXPECT_FALSE(is_plain_json(reencoded, 512)) << reencoded;
    EXPECT_TRUE(normalize_json(reencoded).has_value()) << reencoded;
  }
  EXPECT_EQ(normalize_json("\"\\u0041\"").value(), "\"A\"");
  std::string deep(600, '[');
  deep += std::string(600, ']');
  EXPECT_FALSE(is_plain_json(deep, 512));
  EXPECT_FALSE(normalize_json(deep).has_value()) << "nesting beyond the limit is refused";
  EXPECT_TRUE(is_plain_name("dccview:closed"));
  EXPECT_FALSE(is_plain_name("a b"));
  EXPECT_FALSE(is_plain_name(""));
  EXPECT_EQ(quote("progress"), "\"progress\"");
}

// Messages sent in one page task arrive as a batch; each item stands alone.
TEST(Protocol, ABatchYieldsItsItemsInOrderAndABadItemSpoilsNothingAroundIt) {
  const std::string batch = R"({"type":"batch","messages":[)"
                            R"({"type":"call","id":1,"method":"a","params":[1]},)"
                            R"({"type":"emit","event":"e","data":{"x":2}},)"
                            R"({"type":"call","method":"no id"},)"
                            R"(7,)"
                            R"({"type":"hello"},)"
                            R"({"type":"batch","messages":[]},)"
                            R"({"type":"call","id":2,"method":"b"}]})";
  const auto items = parse_all(batch, kLimit);
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(std::get<Call>(items[0]).method, "a");
  EXPECT_EQ(std::get<Emit>(items[1]).data_json, R"({"x":2})");
  EXPECT_EQ(std::get<Invalid>(items[2]).name, "ProtocolError");
  EXPECT_EQ(std::get<Invalid>(items[3]).name, "ProtocolError");
  EXPECT_TRUE(std::holds_alternative<Invalid>(items[4])) << "hello is not a batch item";
  EXPECT_TRUE(std::holds_alternative<Invalid>(items[5])) << "batches do not nest";
  EXPECT_EQ(std::get<Call>(items[6]).id, 2u);
  EXPECT_TRUE(std::holds_alternative<Invalid>(parse(R"({"type":"batch","messages":[]})", kLimit)))
      << "parse() handles single messages only";
  EXPECT_EQ(parse_all(R"({"type":"call","id":4,"method":"m"})", kLimit).size(), 1u);
}

// The bridge's privileged half prefixes every message with who sent it; without this view's token
// nothing of the message is read (not even an id to answer).
TEST(Protocol, AnEnvelopeNamesItsDocumentAndOriginOnlyWithThisViewsToken) {
  const Envelope none;  // no document said hello yet
  const auto open_envelope = [&](std::string_view text, const std::string& token) {
    return protocol::open_envelope(text, token, none);
  };
  const std::string header = R"({"token":"t0k3n","doc":"d1","origin":"https://a.example"})";
  const std::string text = header + "\n" + R"({"type":"call","id":1,"method":"m"})";
  const auto opened = open_envelope(text, kToken);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->doc, "d1");
  EXPECT_EQ(opened->origin, "https://a.example");
  EXPECT_EQ(opened->payload, R"({"type":"call","id":1,"method":"m"})");
  EXPECT_FALSE(open_envelope(text, "other")) << "another view's token";
  EXPECT_FALSE(open_envelope(R"({"type":"call","id":1,"method":"m"})", kToken)) << "no header";
  EXPECT_FALSE(open_envelope(R"({"type":"call","id":1,)", kToken)) << "truncated, no header";
  EXPECT_FALSE(open_envelope(R"({"token":"t0k3n","doc":"","origin":"x"})" "\n{}", kToken)) << "no document";
  EXPECT_FALSE(open_envelope(R"({"token":"t0k3n","doc":"d","origin":7})" "\n{}", kToken)) << "origin not a string";
  EXPECT_FALSE(open_envelope(R"({"token":"t0k3n","doc":"d","origin":"o"})", kToken)) << "header without a message";
  EXPECT_FALSE(open_envelope(std::string(2000, ' ') + header + "\n{}", kToken)) << "no header within 1 KiB";
  EXPECT_FALSE(open_envelope(R"(["t0k3n","d","o"])" "\n{}", kToken));
}

// After its hello (with the token), a document's messages may name it by its id alone: they get the
// origin that hello gave. Only the current document's id opens one; nothing else does.
TEST(Protocol, AShortEnvelopeIsTheCurrentDocumentsIdAlone) {
  const Envelope current{"0123456789abcdef0123456789abcdef", "https://a.example", {}};
  const std::string message = R"({"type":"call","id":1,"method":"m"})";
  const std::string text = current.doc + "\n" + message;  // the envelope's payload views into it
  const auto opened = open_envelope(text, kToken, current);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->doc, current.doc);
  EXPECT_EQ(opened->origin, "https://a.example");
  EXPECT_EQ(opened->payload, message);
  EXPECT_FALSE(open_envelope("ffff456789abcdef0123456789abcdef\n" + message, kToken, current)) << "another document";
  EXPECT_FALSE(open_envelope(current.doc + "\n" + message, kToken, Envelope{})) << "before any hello";
  EXPECT_FALSE(open_envelope("\n" + message, kToken, Envelope{})) << "an empty id is no document";
  EXPECT_FALSE(open_envelope(current.doc.substr(0, 31) + "\n" + message, kToken, current)) << "a prefix";
  EXPECT_FALSE(open_envelope(current.doc + "x\n" + message, kToken, current)) << "longer";
  EXPECT_FALSE(open_envelope(current.doc, kToken, current)) << "no message line";
  const std::string full_text = R"({"token":"t0k3n","doc":"d2","origin":"o"})" "\n" + message;
  const auto full = open_envelope(full_text, kToken, current);
  ASSERT_TRUE(full.has_value()) << "the full header still works after a hello";
  EXPECT_EQ(full->doc, "d2");
}

TEST(Protocol, NamesStartingWithDccviewColonAreReserved) {
  EXPECT_TRUE(is_reserved_name("dccview:closed"));
  EXPECT_TRUE(is_reserved_name("dccview:anything"));
  EXPECT_FALSE(is_reserved_name("dccview"));
  EXPECT_FALSE(is_reserved_name("my:dccview:x"));
}

// A "__proto__" key set as a literal's property would become its prototype: such lists go as data.
TEST(Protocol, ListsWithAProtoKeyAreNotLiteralSafe) {
  std::string events;
  ASSERT_TRUE(append_event(events, "pp", R"({"__proto__":{"polluted":1},"a":1})"));
  EXPECT_FALSE(literal_safe(message_list("", events)));
  std::string escaped;  // an escaped key is re-encoded canonically, so the check still sees it
  ASSERT_TRUE(append_event(escaped, "pp", R"({"\u005f_proto__":{"polluted":1}})"));
  EXPECT_FALSE(literal_safe(message_list("", escaped))) << message_list("", escaped);
  std::string plain;
  ASSERT_TRUE(append_event(plain, "pp", R"({"proto":1,"__proto":2})"));
  EXPECT_TRUE(literal_safe(message_list("", plain)));
}

TEST(Protocol, OriginsAreSchemeHostAndPort) {
  EXPECT_EQ(origin_of("https://App.Example:8443/tool/index.html?x#y"), "https://app.example:8443");
  EXPECT_EQ(origin_of("https://app.example:443/x"), "https://app.example") << "default port, as location.origin";
  EXPECT_EQ(origin_of("http://user:pw@Host.example:80"), "http://host.example") << "no user info";
  EXPECT_EQ(origin_of("http://host.example:8080"), "http://host.example:8080");
  EXPECT_EQ(origin_of("file:///home/artist/panel.html"), "file://");
  EXPECT_EQ(origin_of("about:blank"), "null");
  EXPECT_EQ(origin_of(""), "null");
}

}  // namespace
}  // namespace dccview::protocol
