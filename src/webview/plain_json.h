// plain_json.h: recognises JSON text that can cross into a page exactly as it is.
//
// "Plain" JSON is valid JSON (RFC 8259) made of printable ASCII only, without '<' (so no
// "</script>"), without \u escapes (so no lone surrogates) and without numbers that could overflow a
// double (no exponents, at most 300 integer digits), nested at most `max_depth` deep. Such
// text needs no re-encoding: emit() sends it as it is and skips the full parse-and-dump. Anything
// else (non-ASCII, '<', \u escapes, invalid JSON) is not plain and takes the full path.
#pragma once

#include <string_view>

namespace dccview::protocol {

// Thread-safe (pure function).
bool is_plain_json(std::string_view text, int max_depth);

// True when `name` can be quoted by wrapping it in double quotes ([A-Za-z0-9_.:/-], not empty).
// Thread-safe.
bool is_plain_name(std::string_view name);

}  // namespace dccview::protocol
