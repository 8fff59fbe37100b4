// The WebSocket opening handshake: detection, validation with the right refusal, offered
// subprotocols, the accept token (RFC 6455's own example) and the 101 response.
#include "http/websocket/ws_handshake.hpp"

#include <gtest/gtest.h>

namespace gf::http::websocket {
namespace {

RequestHead handshake() {
  RequestHead head;
  head.method = "GET";
  head.path = "/chat";
  head.version_major = 1;
  head.version_minor = 1;
  head.headers = {{"Host", "server.example.com"},
                  {"Upgrade", "websocket"},
                  {"Connection", "keep-alive, Upgrade"},
                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                  {"Sec-WebSocket-Version", "13"}};
  head.framing.upgrade = true;
  return head;
}

void set(RequestHead& head, std::string_view name, std::string value) {
  for (HeaderField& h : head.headers)
    if (h.is(name)) {
      h.value = std::move(value);
      return;
    }
  head.headers.push_back({std::string(name), std::move(value)});
}

TEST(WsHandshake, DetectsAndAcceptsAValidHandshake) {
  RequestHead head = handshake();
  EXPECT_TRUE(asks_for_websocket(head));
  EXPECT_FALSE(check_handshake(head).has_value());
  set(head, "upgrade", "h2c");
  EXPECT_FALSE(asks_for_websocket(head));
  set(head, "upgrade", "foo, WebSocket");
  EXPECT_TRUE(asks_for_websocket(head));
}

TEST(WsHandshake, RefusesBrokenHandshakes) {
  RequestHead head = handshake();
  head.method = "POST";
  EXPECT_EQ(check_handshake(head)->status, 400);
  head = handshake();
  head.version_minor = 0;
  EXPECT_EQ(check_handshake(head)->status, 400);
  head = handshake();
  set(head, "connection", "keep-alive");
  EXPECT_EQ(check_handshake(head)->status, 426);
  head = handshake();
  set(head, "sec-websocket-version", "8");
  std::optional<HandshakeRefusal> refusal = check_handshake(head);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 426);
  ASSERT_EQ(refusal->headers.size(), 1u);
  EXPECT_EQ(refusal->headers[0].value, "13");
  for (const char* key : {"", "short==", "dGhlIHNhbXBsZSBub25jZQ",
                          "dGhlIHNhbXBsZSBub25jZ!==", "dGhlIHNhbXBsZSBub25jZQ=x"}) {
    head = handshake();
    set(head, "sec-websocket-key", key);
    EXPECT_EQ(check_handshake(head)->status, 400) << key;
  }
  head = handshake();
  head.headers.push_back({"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="});
  EXPECT_EQ(check_handshake(head)->status, 400);  // two keys
  head = handshake();
  head.framing.body_kind = BodyKind::kLength;
  head.framing.content_length = 5;
  EXPECT_EQ(check_handshake(head)->status, 400);
}

TEST(WsHandshake, OfferedSubprotocols) {
  RequestHead head = handshake();
  EXPECT_TRUE(offered_subprotocols(head).empty());
  head.headers.push_back({"Sec-WebSocket-Protocol", "chat, superchat"});
  head.headers.push_back({"Sec-WebSocket-Protocol", " v2 "});
  EXPECT_EQ(offered_subprotocols(head), (std::vector<std::string>{"chat", "superchat", "v2"}));
}

TEST(WsHandshake, AcceptTokenIsTheRfcExample) {
  EXPECT_EQ(accept_token("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, AcceptResponse) {
  const std::string response =
      accept_response(handshake(), "chat", {{"X-Custom", "yes"}}, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(response.find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nX-Custom: yes\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nServer: greenfork\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"), std::string::npos);
  EXPECT_EQ(accept_response(handshake(), "", {}, "d").find("Sec-WebSocket-Protocol"),
            std::string::npos);
  EXPECT_THROW(accept_response(handshake(), "", {{"Bad Name", "x"}}, "d"), std::invalid_argument);
  EXPECT_THROW(accept_response(handshake(), "", {{"X", "a\r\nInjected: 1"}}, "d"),
               std::invalid_argument);
}

}  // namespace
}  // namespace gf::http::websocket
