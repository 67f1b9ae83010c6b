#include "webview/protocol.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "webview/plain_json.h"

namespace dccview::protocol {

namespace {

using nlohmann::json;

std::string dump(const json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/true, json::error_handler_t::replace);
}

// Deep nesting is refused before parsing (the parser recurses).
bool nesting_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

constexpr int kMaxNesting = 512;

// The bridge writes "type" and "id" first; a message refused before parsing (too large, too deep)
// can still be answered when its id is found near the start.
std::optional<std::uint64_t> leading_id(std::string_view text) {
  const std::string key = "\"id\":";
  const auto at = text.substr(0, 64).find(key);
  if (at == std::string::npos) return std::nullopt;
  std::uint64_t id = 0;
  bool digits = false;
  for (std::size_t i = at + key.size(); i < text.size() && i < at + key.size() + 20; ++i) {
    if (text[i] < '0' || text[i] > '9') break;
    id = id * 10 + static_cast<std::uint64_t>(text[i] - '0');
    digits = true;
  }
  return digits ? std::optional<std::uint64_t>(id) : std::nullopt;
}

}  // namespace

namespace {

// A call or an emit, from a message whose token was already checked.
Incoming parse_call_or_emit(const json& message, const std::string& type, std::optional<std::uint64_t> id) {
  if (type == "call") {
    if (!id) return Invalid{std::nullopt, "ProtocolError", "call without a numeric id"};
    if (!message.contains("method") || !message["method"].is_string()) {
      return Invalid{id, "ProtocolError", "call without a method name"};
    }
    return Call{*id, message["method"], dump(message.value("params", json()))};
  }
  if (type == "emit") {
    if (!message.contains("event") || !message["event"].is_string()) {
      return Invalid{std::nullopt, "ProtocolError", "emit without an event name"};
    }
    return Emit{message["event"], dump(message.value("data", json()))};
  }
  return Invalid{id, "ProtocolError", "unknown message type '" + type + "'"};
}

std::optional<std::uint64_t> id_of(const json& message) {
  if (message.contains("id") && message["id"].is_number_unsigned()) return message["id"].get<std::uint64_t>();
  return std::nullopt;
}

bool is_typed_object(const json& message) {
  return message.is_object() && message.contains("type") && message["type"].is_string();
}

// The items of a batch whose token was checked; hellos and nested batches are not items.
std::vector<Incoming> parse_batch(const json& message) {
  std::vector<Incoming> items;
  if (!message.contains("messages") || !message["messages"].is_array()) {
    items.push_back(Invalid{std::nullopt, "ProtocolError", "batch without a messages array"});
    return items;
  }
  for (const json& item : message["messages"]) {
    if (!is_typed_object(item)) {
      items.push_back(Invalid{std::nullopt, "ProtocolError", "batch item is not a dccview message"});
      continue;
    }
    items.push_back(parse_call_or_emit(item, item["type"], id_of(item)));
  }
  return items;
}

// parse() and parse_all() share everything up to the message's type.
std::vector<Incoming> parse_messages(std::string_view text, std::size_t max_bytes, bool allow_batch) {
  if (text.size() > max_bytes) {
    return {Invalid{leading_id(text), "PayloadTooLargeError",
                    "message of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                        std::to_string(max_bytes)}};
  }
  if (!nesting_within(text, kMaxNesting)) {
    return {Invalid{leading_id(text), "ProtocolError", "message nested deeper than 512 levels"}};
  }
  const json message = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!is_typed_object(message)) {
    return {Invalid{leading_id(text), "ProtocolError", "not a valid dccview message (JSON)"}};
  }
  const std::string type = message["type"];
  const std::optional<std::uint64_t> id = id_of(message);
  if (type == "hello") return {Hello{}};
  if (type == "batch" && allow_batch) return parse_batch(message);
  return {parse_call_or_emit(message, type, id)};
}

}  // namespace

Incoming parse(std::string_view text, std::size_t max_bytes) {
  return parse_messages(text, max_bytes, /*allow_batch=*/false).front();
}

std::vector<Incoming> parse_all(std::string_view text, std::size_t max_bytes) {
  return parse_messages(text, max_bytes, /*allow_batch=*/true);
}

std::optional<Envelope> open_envelope(std::string_view text, const std::string& token, const Envelope& current) {
  // The header is a few hundred bytes at most; a longer first line is not one.
  constexpr std::size_t kMaxHeader = 1024;
  const auto end = text.substr(0, kMaxHeader).find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  if (text.front() != '{') {  // the short form: the current document's id alone
    if (current.doc.empty() || text.substr(0, end) != current.doc) return std::nullopt;
    return Envelope{current.doc, current.origin, text.substr(end + 1)};
  }
  const json header = json::parse(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), nullptr,
                                  /*allow_exceptions=*/false);
  const auto is_string = [&](const char* key) { return header.contains(key) && header[key].is_string(); };
  if (!header.is_object() || !is_string("token") || !is_string("doc") || !is_string("origin")) {
    return std::nullopt;
  }
  const auto& sent_token = header["token"].get_ref<const std::string&>();
  if (sent_token != token || header["doc"].get_ref<const std::string&>().empty()) return std::nullopt;
  return Envelope{header["doc"], header["origin"], text.substr(end + 1)};
}

bool is_reserved_name(std::string_view name) { return name.substr(0, 8) == "dccview:"; }

std::optional<std::string> normalize_json(const std::string& text) {
  if (is_plain_json(text, kMaxNesting)) return text;  // the common case: valid and safe as it is
  if (!nesting_within(text, kMaxNesting)) return std::nullopt;
  const json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return dump(value);
}

bool append_event(std::string& batch, const std::string& event, const std::string& data_json) {
  // The plain case (a plain name, plain JSON) is appended as it is: no parse, no temporaries.
  std::optional<std::string> data;
  if (!is_plain_json(data_json, kMaxNesting)) {
    data = normalize_json(data_json);
    if (!data) return false;
  }
  if (!batch.empty()) batch += ',';
  if (is_plain_name(event)) {
    batch += '"';
    batch += event;
    batch += '"';
  } else {
    batch += quote(event);
  }
  batch += ',';
  batch += data ? *data : data_json;
  return true;
}

std::string quote(const std::string& text) {
  if (is_plain_name(text)) return "\"" + text + "\"";
  return dump(json(text));
}

std::string origin_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "null";
  const auto host_start = scheme_end + 3;
  const auto host_end = std::min(url.find_first_of("/?#", host_start), url.size());
  std::string scheme = url.substr(0, scheme_end);
  std::string host = url.substr(host_start, host_end - host_start);
  if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);  // user info
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto drop_port = [&](const char* port) {
    const std::string suffix = std::string(":") + port;
    if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
      host.erase(host.size() - suffix.size());
    }
  };
  if (scheme == "http" || scheme == "ws") drop_port("80");
  if (scheme == "https" || scheme == "wss") drop_port("443");
  return scheme + "://" + host;
}

// Ends in a plain value: WebKit reports an `undefined` completion as an error.
std::string shutdown_script() { return "window.dccview.__native({\"type\":\"shutdown\"}); true;"; }

std::string ready_message(std::size_t max_bytes) {
  return "{\"type\":\"ready\",\"max_bytes\":" + std::to_string(max_bytes) + "}";
}

std::string result_message(std::uint64_t id, const std::string& value_json) {
  // value_json is normalized JSON: embedded as a value, not as a string.
  return "{\"type\":\"result\",\"id\":" + std::to_string(id) + ",\"ok\":true,\"value\":" + value_json + "}";
}

std::string error_message(std::uint64_t id, const std::string& name, const std::string& message,
                          const std::string& extra_json) {
  json error = json::parse(extra_json, nullptr, false);
  if (!error.is_object()) error = json::object();
  error["name"] = name;
  error["message"] = message;
  error["code"] = name;
  return dump(json{{"type", "result"}, {"id", id}, {"ok", false}, {"error", error}});
}

std::string deliver_script(const std::string& message_list_json) {
  return "window.dccview.__deliverList(" + message_list_json + "); true;";
}

bool literal_safe(std::string_view message_list_json) {
  return message_list_json.find("\"__proto__\"") == std::string_view::npos;
}

std::string events_message(const std::string& entries_json) {
  return "{\"type\":\"events\",\"events\":[" + entries_json + "]}";
}

std::string message_list(const std::string& messages, const std::string& entries_json) {
  if (messages.empty() && entries_json.empty()) return "";
  std::string list = "[" + messages;
  if (entries_json.empty()) {
    list.back() = ']';  // the last message's comma
  } else {
    list += events_message(entries_json) + "]";
  }
  return list;
}

EvaluationOutcome read_evaluation_outcome(std::string_view text) {
  const auto outcome = nlohmann::json::parse(text, nullptr, false);
  if (!outcome.is_object()) return {std::nullopt, "Error", "unreadable evaluation result", ""};
  if (outcome.value("ok", false)) {
    const auto value = outcome.find("value");
    const nlohmann::json& json = value == outcome.end() ? nlohmann::json() : *value;
    return {json.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace), "", "", ""};
  }
  const auto text_of = [&](const char* key, const char* fallback) {
    const auto field = outcome.find(key);
    return field != outcome.end() && field->is_string() ? field->get<std::string>() : std::string(fallback);
  };
  return {std::nullopt, text_of("name", "Error"), text_of("message", ""), text_of("stack", "")};
}

}  // namespace dccview::protocol
