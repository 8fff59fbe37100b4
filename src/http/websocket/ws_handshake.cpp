#include "http/websocket/ws_handshake.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "http/char_classes.hpp"

namespace gf::http::websocket {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Calls `each` with every comma-separated, trimmed, non-empty element of the header's values
// (all of its occurrences).
template <typename F>
void for_each_token(const RequestHead& head, std::string_view name, F each) {
  for (const HeaderField& h : head.headers) {
    if (!h.is(name)) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view item = chars::strip_sp_htab(rest.substr(0, comma));
      if (!item.empty()) each(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
}

bool has_token(const RequestHead& head, std::string_view name, std::string_view token) {
  bool found = false;
  for_each_token(head, name, [&](std::string_view item) {
    if (chars::iequals(item, token)) found = true;
  });
  return found;
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// 16 bytes in base64: 22 characters and "==".
bool valid_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (size_t i = 0; i < 22; ++i)
    if (!is_base64_char(key[i])) return false;
  return true;
}

HandshakeRefusal refuse(int status, std::string reason) {
  return {status, {}, std::move(reason)};
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

bool asks_for_websocket(const RequestHead& head) {
  return has_token(head, "upgrade", "websocket");
}

std::optional<HandshakeRefusal> check_handshake(const RequestHead& head) {
  if (head.method != "GET") return refuse(400, "a WebSocket handshake must be a GET");
  if (head.version_major != 1 || head.version_minor != 1)
    return refuse(400, "a WebSocket handshake must be HTTP/1.1");
  if (head.framing.body_kind != BodyKind::kNone &&
      !(head.framing.body_kind == BodyKind::kLength && head.framing.content_length == 0))
    return refuse(400, "a WebSocket handshake has no body");
  if (!has_token(head, "connection", "upgrade")) {
    HandshakeRefusal r = refuse(426, "Connection does not say upgrade");
    r.headers.push_back({"Upgrade", "websocket"});
    r.headers.push_back({"Connection", "Upgrade"});
    return r;
  }
  const std::string* version = head.find("sec-websocket-version");
  if (version == nullptr || *version != "13") {
    // RFC 6455 section 4.4: name the version this server speaks.
    HandshakeRefusal r = refuse(426, "unsupported Sec-WebSocket-Version");
    r.headers.push_back({"Sec-WebSocket-Version", "13"});
    return r;
  }
  int keys = 0;
  for (const HeaderField& h : head.headers) keys += h.is("sec-websocket-key") ? 1 : 0;
  const std::string* key = head.find("sec-websocket-key");
  if (keys != 1 || !valid_key(*key)) return refuse(400, "missing or invalid Sec-WebSocket-Key");
  return std::nullopt;
}

std::vector<std::string> offered_subprotocols(const RequestHead& head) {
  std::vector<std::string> out;
  for_each_token(head, "sec-websocket-protocol",
                 [&](std::string_view item) { out.emplace_back(item); });
  return out;
}

std::string accept_token(std::string_view key) {
  std::string input(key);
  input.append(kGuid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1)
    throw std::runtime_error("SHA-1 failed");
  std::array<unsigned char, 32> encoded{};  // 20 bytes -> 28 characters and a NUL
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<size_t>(n));
}

std::string accept_response(const RequestHead& head, std::string_view subprotocol,
                            const std::vector<HeaderField>& extra, std::string_view date,
                            std::string_view extensions) {
  for (const HeaderField& h : extra) {
    if (!chars::is_token(h.name)) throw std::invalid_argument("invalid header name: " + h.name);
    for (char c : h.value)
      if (chars::is_forbidden_in_field_value(c))
        throw std::invalid_argument("invalid value for header " + h.name);
  }
  if (!subprotocol.empty() && !chars::is_token(subprotocol))
    throw std::invalid_argument("invalid subprotocol");
  std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
  append_field(out, "Upgrade", "websocket");
  append_field(out, "Connection", "Upgrade");
  append_field(out, "Sec-WebSocket-Accept", accept_token(*head.find("sec-websocket-key")));
  if (!subprotocol.empty()) append_field(out, "Sec-WebSocket-Protocol", subprotocol);
  if (!extensions.empty()) append_field(out, "Sec-WebSocket-Extensions", extensions);
  bool has_server = false, has_date = false;
  for (const HeaderField& h : extra) {
    has_server = has_server || h.is("server");
    has_date = has_date || h.is("date");
    append_field(out, h.name, h.value);
  }
  if (!has_server) append_field(out, "Server", "greenfork");
  if (!has_date) append_field(out, "Date", date);
  out.append("\r\n");
  return out;
}

}  // namespace gf::http::websocket
