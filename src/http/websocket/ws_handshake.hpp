// The opening handshake of RFC 6455 (section 4.2) on a parsed HTTP/1 request, I/O-free: whether
// a request asks for a WebSocket, whether the ask is valid (and if not, the answer it gets), the
// subprotocols it offers, and the bytes of the 101 response that accepts it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"

namespace gf::http::websocket {

// An Upgrade header naming "websocket": the request is a WebSocket handshake, valid or not.
bool asks_for_websocket(const RequestHead& head);

// Why a WebSocket handshake cannot be accepted, and the HTTP answer it gets.
struct HandshakeRefusal {
  int status;                        // 400, or 426 (with the headers below)
  std::vector<HeaderField> headers;  // e.g. "Sec-WebSocket-Version: 13"
  std::string reason;                // for the debug log
};
// nullopt when the handshake is valid: GET, HTTP/1.1, "Connection: upgrade", version 13, a key
// of 16 base64-encoded bytes, no body.
std::optional<HandshakeRefusal> check_handshake(const RequestHead& head);

// The subprotocols offered in Sec-WebSocket-Protocol, in order.
std::vector<std::string> offered_subprotocols(const RequestHead& head);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string accept_token(std::string_view key);

// The complete 101 response for `head` (a valid handshake): `subprotocol` (empty: none) and the
// app's extra headers, which must be valid field names and values (std::invalid_argument
// otherwise); `date` is the Date header's value.
// `extensions` (empty: none) is the Sec-WebSocket-Extensions answer.
std::string accept_response(const RequestHead& head, std::string_view subprotocol,
                            const std::vector<HeaderField>& extra, std::string_view date,
                            std::string_view extensions = {});

}  // namespace gf::http::websocket
