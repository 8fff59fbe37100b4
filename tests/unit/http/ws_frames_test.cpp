// FrameParser and the server frame header: messages reassembled across fragments and reads,
// control frames between fragments, and each rule of RFC 6455 section 5 that fails the
// connection with its close code before any part of the bad message is handed out.
#include "http/websocket/ws_frames.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gf::http::websocket {
namespace {

constexpr uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

// A client frame: masked unless told otherwise.
std::string frame(uint8_t first_byte, std::string_view payload, bool masked = true) {
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  const uint8_t mask_bit = masked ? 0x80 : 0x00;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
  }
  if (masked) out.append(reinterpret_cast<const char*>(kMask), 4);
  for (size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ (masked ? kMask[i % 4] : 0)));
  return out;
}

std::vector<Event> parse(const std::string& bytes, size_t max = 1 << 20, size_t split = 0) {
  FrameParser parser(max);
  std::vector<Event> events;
  if (split == 0) {
    parser.feed(bytes, events);
  } else {
    for (size_t i = 0; i < bytes.size(); i += split)
      parser.feed(std::string_view(bytes).substr(i, split), events);
  }
  return events;
}

int failure_code(const std::string& bytes, size_t max = 1 << 20) {
  try {
    parse(bytes, max);
  } catch (const ProtocolError& e) {
    return e.code;
  }
  return 0;
}

TEST(WsFrames, TextAndBinaryMessagesInAnySplit) {
  const std::string bytes = frame(0x81, "Hello") + frame(0x82, std::string("\x00\x01\x02", 3));
  for (size_t split : {0, 1, 2, 3, 7}) {
    const std::vector<Event> events = parse(bytes, 1 << 20, split);
    ASSERT_EQ(events.size(), 2u) << "split " << split;
    EXPECT_EQ(events[0].kind, Event::Kind::kText);
    EXPECT_EQ(events[0].payload, "Hello");
    EXPECT_EQ(events[1].kind, Event::Kind::kBinary);
    EXPECT_EQ(events[1].payload, std::string("\x00\x01\x02", 3));
  }
}

TEST(WsFrames, ExtendedLengths) {
  const std::string medium(300, 'm');
  const std::string large(70000, 'L');
  const std::vector<Event> events = parse(frame(0x82, medium) + frame(0x82, large), 1 << 20, 4096);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].payload, medium);
  EXPECT_EQ(events[1].payload, large);
}

TEST(WsFrames, FragmentsReassembleAroundControlFrames) {
  const std::string bytes = frame(0x01, "Hel") + frame(0x89, "ping!") + frame(0x00, "l") +
                            frame(0x80, "o") + frame(0x8A, "");
  const std::vector<Event> events = parse(bytes);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Event::Kind::kPing);
  EXPECT_EQ(events[0].payload, "ping!");
  EXPECT_EQ(events[1].kind, Event::Kind::kText);
  EXPECT_EQ(events[1].payload, "Hello");
  EXPECT_EQ(events[2].kind, Event::Kind::kPong);
}

TEST(WsFrames, CloseFramesAndWhatFollowsThem) {
  std::vector<Event> events =
      parse(frame(0x88, std::string("\x0f\xa1", 2) + "bye") + frame(0x81, "ignored"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Event::Kind::kClose);
  EXPECT_EQ(events[0].close_code, 4001);
  EXPECT_EQ(events[0].payload, "bye");
  events = parse(frame(0x88, ""));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].close_code, close_code::kNoStatus);
}

TEST(WsFrames, RuleBreakersFailWithTheRfcCode) {
  EXPECT_EQ(failure_code(frame(0x81, "x", /*masked=*/false)), close_code::kProtocolError);
  EXPECT_EQ(failure_code(frame(0xC1, "x")), close_code::kProtocolError);  // RSV1
  EXPECT_EQ(failure_code(frame(0xA1, "x")), close_code::kProtocolError);  // RSV2
  EXPECT_EQ(failure_code(frame(0x91, "x")), close_code::kProtocolError);  // RSV3
  EXPECT_EQ(failure_code(frame(0x83, "x")), close_code::kProtocolError);  // reserved opcode
  EXPECT_EQ(failure_code(frame(0x8B, "x")), close_code::kProtocolError);
  EXPECT_EQ(failure_code(frame(0x89, std::string(126, 'p'))), close_code::kProtocolError);
  EXPECT_EQ(failure_code(frame(0x09, "p")), close_code::kProtocolError);  // fragmented ping
  EXPECT_EQ(failure_code(frame(0x80, "c")), close_code::kProtocolError);  // nothing to continue
  EXPECT_EQ(failure_code(frame(0x01, "a") + frame(0x81, "b")), close_code::kProtocolError);
  EXPECT_EQ(failure_code(frame(0x81, "\xff\xfe")), close_code::kInvalidData);
  EXPECT_EQ(failure_code(frame(0x01, "\xce") + frame(0x80, "x")), close_code::kInvalidData);
  EXPECT_EQ(failure_code(frame(0x88, "\x03")), close_code::kProtocolError);
  EXPECT_EQ(failure_code(frame(0x88, std::string("\x03\xe8", 2) + "\xff")),
            close_code::kInvalidData);
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    const std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    EXPECT_EQ(failure_code(frame(0x88, payload)), close_code::kProtocolError) << code;
  }
  for (int code : {1000, 1001, 1003, 1007, 1011, 1012, 1014, 3000, 4999}) {
    const std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    EXPECT_EQ(failure_code(frame(0x88, payload)), 0) << code;
  }
  // A 64-bit length with its top bit set.
  std::string huge = "\x82\xff\x80";
  huge.append(7, '\0');
  huge.append(reinterpret_cast<const char*>(kMask), 4);
  EXPECT_EQ(failure_code(huge), close_code::kProtocolError);
}

TEST(WsFrames, MessageSizeLimitCoversAllFragments) {
  EXPECT_EQ(failure_code(frame(0x82, std::string(1000, 'x')), 1000), 0);
  EXPECT_EQ(failure_code(frame(0x82, std::string(1001, 'x')), 1000), close_code::kTooBig);
  EXPECT_EQ(
      failure_code(frame(0x02, std::string(600, 'x')) + frame(0x80, std::string(401, 'x')), 1000),
      close_code::kTooBig);
}

TEST(WsFrames, NothingOfABadMessageIsHandedOut) {
  FrameParser parser(1 << 20);
  std::vector<Event> events;
  EXPECT_THROW(parser.feed(frame(0x81, "good") + frame(0x81, "\xff"), events), ProtocolError);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, "good");
}

TEST(WsFrames, ServerFrameHeaders) {
  std::array<uint8_t, 10> header;
  ASSERT_EQ(write_frame_header(Opcode::kText, true, 5, header), 2u);
  EXPECT_EQ(header[0], 0x81);
  EXPECT_EQ(header[1], 5);
  ASSERT_EQ(write_frame_header(Opcode::kBinary, true, 300, header), 4u);
  EXPECT_EQ(header[1], 126);
  EXPECT_EQ((header[2] << 8) | header[3], 300);
  ASSERT_EQ(write_frame_header(Opcode::kBinary, false, 70000, header), 10u);
  EXPECT_EQ(header[0], 0x02);
  EXPECT_EQ(header[1], 127);
  EXPECT_EQ(header[7], 0x01);
  EXPECT_EQ(header[8], 0x11);
  EXPECT_EQ(header[9], 0x70);
}

TEST(WsFrames, ClosePayloadsFitAndStayUtf8) {
  EXPECT_EQ(close_payload(0, "ignored"), "");
  EXPECT_EQ(close_payload(1000, "bye"), std::string("\x03\xe8", 2) + "bye");
  std::string long_reason;
  for (int i = 0; i < 100; ++i) long_reason += "\xc3\xa9";  // 200 bytes of two-byte characters
  const std::string payload = close_payload(1000, long_reason);
  EXPECT_LE(payload.size(), 125u);
  EXPECT_EQ((payload.size() - 2) % 2, 0u);  // never cut inside a character
}

}  // namespace
}  // namespace gf::http::websocket
