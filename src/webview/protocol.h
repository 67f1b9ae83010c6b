// src/webview/protocol.h: the JSON messages between the page bridge (js/bridge.js) and native code.
// See docs/protocol.md. Pure functions: no threads, no GTK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dccview::protocol {

struct Hello {};
struct Call {
  std::uint64_t id;
  std::string method;
  std::string params_json;
};
struct Emit {
  std::string event;
  std::string data_json;
};
// A message that cannot be handled; `id` is set when the page waits for an answer.
struct Invalid {
  std::optional<std::uint64_t> id;
  std::string name;  // error name for the page: "ProtocolError", "PayloadTooLargeError"
  std::string reason;
};

using Incoming = std::variant<Hello, Call, Emit, Invalid>;

// What the bridge's privileged half (js/bridge_world.js) says about a message's sender, and the
// message itself (a view into the text given to open_envelope()).
struct Envelope {
  std::string doc;     // the sending document's id, fresh per document
  std::string origin;  // the sending document's origin ("null" for opaque origins)
  std::string_view payload;
};

// Reads the header line the privileged half puts before every message. Two forms (docs/protocol.md):
// the full header, a JSON object with the view's `token`, the document's id and its origin (every
// hello uses it), or the id of the `current` document alone, the one whose hello carried the token
// (its later messages need not repeat what native code knows; the id never exists in the page's
// world either). Empty when the text is neither: a message that fails this check was not sent by
// this view's bridge (or comes from a document that is gone) and must be neither answered nor read
// further. Never throws.
std::optional<Envelope> open_envelope(std::string_view text, const std::string& token, const Envelope& current);

// Parses one message from the page. Never throws; bad input yields Invalid.
Incoming parse(std::string_view text, std::size_t max_bytes);

// Parses a page message that may be a batch ({"type":"batch","messages":[call or emit, ...]}) into
// its messages, in order; anything else yields what parse() yields. A bad item yields Invalid (with
// its id when it has one) without affecting the items around it. Never throws.
std::vector<Incoming> parse_all(std::string_view text, std::size_t max_bytes);

// Names starting with "dccview:" belong to dccview's own events (kClosedEvent, ...): the page may
// neither call nor emit them.
bool is_reserved_name(std::string_view name);

// "scheme://host[:port]" of a URL as a page's location.origin gives it (scheme and host lower case, no
// user info, no default port), or "null" for URLs without an origin (about:, data:, empty).
std::string origin_of(const std::string& url);

// Re-encodes JSON text safely for embedding in a script (ASCII only: U+2028/U+2029 and every other
// non-ASCII character escaped; invalid UTF-8 replaced). Empty optional if `json` is not valid JSON.
std::optional<std::string> normalize_json(const std::string& json);

// A JSON string literal for `text` (ASCII only, invalid UTF-8 replaced).
std::string quote(const std::string& text);

// Appends `event` and `data_json` to a flat batch of events ("name",data,"name",data...), re-encoding
// only what needs it. False (nothing appended) when `data_json` is not valid JSON.
bool append_event(std::string& batch, const std::string& event, const std::string& data_json);

// Messages to the page (JSON text). Answers and events travel as data, a JSON array of messages given
// to the bridge's one delivery function (Backend::deliver): no script is made from them.
std::string ready_message(std::size_t max_bytes);
std::string result_message(std::uint64_t id, const std::string& value_json);
std::string error_message(std::uint64_t id, const std::string& name, const std::string& message,
                          const std::string& extra_json = "{}");
// `entries_json` is a flat, comma-separated list of event names and data (already normalized).
std::string events_message(const std::string& entries_json);
// The JSON array for Backend::deliver: `messages` holds messages each followed by a comma, then the
// events, if any. "" when there is nothing to deliver.
std::string message_list(const std::string& messages, const std::string& entries_json);

// The same list as a script (for large batches of events, see bridge.js __deliverList). Only for
// lists literal_safe() accepts.
std::string deliver_script(const std::string& message_list_json);
// True when a message list means the same as a JavaScript literal as it does as JSON: it holds no
// "__proto__" key, which a literal would turn into the object's prototype. Exact for the lists this
// protocol builds (their JSON is canonical: no escapes of printable ASCII). Thread-safe.
bool literal_safe(std::string_view message_list_json);

// A script the native side evaluates in the page when the view closes.
std::string shutdown_script();

// What js/evaluate.js resolved to ({"ok": true, "value": ...} or {"ok": false, "name", "message",
// "stack"}), read the same way for every engine: the value as JSON text (ASCII, non-ASCII as \u
// escapes), or the page's error. Unreadable text is an error named "Error". Thread-safe.
struct EvaluationOutcome {
  std::optional<std::string> value_json;
  std::string error_name, error_message, error_stack;  // when value_json is empty
};
EvaluationOutcome read_evaluation_outcome(std::string_view text);

}  // namespace dccview::protocol
