// permessage-deflate: which offers are accepted and how, the answer, compress/decompress round
// trips with and without context takeover, corrupt data, the size limit against a zip bomb,
// and the frame parser's RSV1 rules once negotiated.
#include "http/websocket/ws_deflate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/websocket/ws_frames.hpp"

namespace gf::http::websocket {
namespace {

RequestHead offering(std::string extensions) {
  RequestHead head;
  head.headers.push_back({"Sec-WebSocket-Extensions", std::move(extensions)});
  return head;
}

TEST(WsDeflate, AcceptsTheFirstValidOffer) {
  EXPECT_FALSE(accept_deflate_offer(RequestHead{}).has_value());
  EXPECT_FALSE(accept_deflate_offer(offering("x-webkit-deflate-frame")).has_value());
  std::optional<DeflateParams> p =
      accept_deflate_offer(offering("permessage-deflate; client_max_window_bits"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(deflate_response(*p), "permessage-deflate");
  p = accept_deflate_offer(
      offering("permessage-deflate; unknown_param, permessage-deflate; server_no_context_takeover; "
               "client_no_context_takeover; server_max_window_bits=10"));
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->server_no_context_takeover);
  EXPECT_TRUE(p->client_no_context_takeover);
  EXPECT_EQ(p->server_max_window_bits, 10);
  EXPECT_EQ(deflate_response(*p),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=10");
  // Declined: a repeated parameter, a bad window, a window zlib cannot honour, a value on a flag.
  for (const char* bad :
       {"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; server_no_context_takeover=1"})
    EXPECT_FALSE(accept_deflate_offer(offering(bad)).has_value()) << bad;
}

TEST(WsDeflate, RoundTripsWithAndWithoutContextTakeover) {
  for (bool no_takeover : {false, true}) {
    DeflateParams params;
    params.server_no_context_takeover = no_takeover;
    params.client_no_context_takeover = no_takeover;
    PerMessageDeflate sender(params);
    PerMessageDeflate receiver(params);
    const std::vector<std::string> messages = {std::string(100000, 'a'), "Hello, World!",
                                               std::string(300, 'b') + "tail", ""};
    for (const std::string& message : messages) {
      const std::string packed = sender.compress(message);
      if (message.size() > 1000) EXPECT_LT(packed.size(), message.size() / 10);
      std::string out;
      bool too_big = true;
      ASSERT_TRUE(receiver.decompress(packed, 1 << 20, out, too_big));
      EXPECT_FALSE(too_big);
      EXPECT_EQ(out, message);
    }
  }
}

TEST(WsDeflate, CorruptDataAndBombsFail) {
  PerMessageDeflate receiver(DeflateParams{});
  std::string out;
  bool too_big = false;
  EXPECT_FALSE(
      receiver.decompress(std::string("\xff\xff\xff\xff garbage", 12), 1 << 20, out, too_big));
  EXPECT_FALSE(too_big);
  PerMessageDeflate sender(DeflateParams{});
  const std::string bomb = sender.compress(std::string(10 * 1024 * 1024, '\0'));
  EXPECT_LT(bomb.size(), 64u * 1024);
  PerMessageDeflate fresh(DeflateParams{});
  EXPECT_FALSE(fresh.decompress(bomb, 1024 * 1024, out, too_big));
  EXPECT_TRUE(too_big);
  EXPECT_LE(out.size(), 1024u * 1024);
}

std::string masked_frame(uint8_t first_byte, std::string_view payload) {
  static const uint8_t mask[4] = {1, 2, 3, 4};
  std::string out{static_cast<char>(first_byte), static_cast<char>(0x80 | payload.size())};
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return out;
}

TEST(WsDeflate, ParserRsv1RulesOnceNegotiated) {
  FrameParser parser(1 << 20);
  parser.allow_compression();
  std::vector<Event> events;
  parser.feed(masked_frame(0xC1, "\xf2\x48\xcd\xc9\xc9\x07\x00"), events);  // compressed "Hello"
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].compressed);
  PerMessageDeflate receiver(DeflateParams{});
  std::string out;
  bool too_big = false;
  ASSERT_TRUE(receiver.decompress(events[0].payload, 100, out, too_big));
  EXPECT_EQ(out, "Hello");
  // RSV1 on a control frame, on a continuation, and RSV2 stay protocol errors.
  for (const std::string& bad :
       {masked_frame(0xC9, "p"), masked_frame(0x41, "a") + masked_frame(0xC0, "b"),
        masked_frame(0xA1, "x")}) {
    FrameParser p(1 << 20);
    p.allow_compression();
    std::vector<Event> e;
    EXPECT_THROW(p.feed(bad, e), ProtocolError);
  }
}

}  // namespace
}  // namespace gf::http::websocket
