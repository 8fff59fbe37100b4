#include "http/websocket/ws_frames.hpp"

#include <algorithm>
#include <cstring>

#include "util/utf8.hpp"

namespace gf::http::websocket {
namespace {

constexpr size_t kMaxControlPayload = 125;

bool is_control(Opcode op) {
  return (static_cast<uint8_t>(op) & 0x8) != 0;
}

bool known_opcode(uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// XORs `data` with the mask, starting `pos` bytes into it; eight bytes at a time where it can.
void unmask(char* data, size_t n, const std::array<uint8_t, 4>& mask, size_t pos) {
  size_t i = 0;
  while (i < n && (pos + i) % 4 != 0) {
    data[i] = static_cast<char>(data[i] ^ mask[(pos + i) % 4]);
    ++i;
  }
  uint64_t wide;
  uint8_t pattern[8] = {mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]};
  std::memcpy(&wide, pattern, sizeof wide);
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    word ^= wide;
    std::memcpy(data + i, &word, sizeof word);
  }
  for (; i < n; ++i) data[i] = static_cast<char>(data[i] ^ mask[(pos + i) % 4]);
}

size_t header_length(const std::array<uint8_t, 14>& header) {
  const uint8_t len7 = header[1] & 0x7F;
  const size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  const size_t mask = (header[1] & 0x80) != 0 ? 4 : 0;
  return 2 + extended + mask;
}

}  // namespace

bool sendable_close_code(int code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

void FrameParser::feed(std::string_view bytes, std::vector<Event>& events) {
  while (!bytes.empty() && !closed_) {
    if (!in_payload_) {
      bytes.remove_prefix(take_header(bytes));
      if (!in_payload_) return;  // the header is not complete yet
      if (left_ == 0) end_frame(events);
      continue;
    }
    bytes.remove_prefix(take_payload(bytes));
    if (left_ == 0) end_frame(events);
  }
}

size_t FrameParser::take_header(std::string_view bytes) {
  size_t used = 0;
  const size_t first = std::min<size_t>(2 - std::min<size_t>(header_have_, 2), bytes.size());
  std::memcpy(header_.data() + header_have_, bytes.data(), first);
  header_have_ += first;
  used += first;
  if (header_have_ < 2) return used;
  const size_t need = header_length(header_);
  const size_t more = std::min(need - header_have_, bytes.size() - used);
  std::memcpy(header_.data() + header_have_, bytes.data() + used, more);
  header_have_ += more;
  used += more;
  if (header_have_ == need) start_frame();
  return used;
}

void FrameParser::start_frame() {
  const uint8_t b0 = header_[0];
  const uint8_t b1 = header_[1];
  header_have_ = 0;
  const bool rsv1 = (b0 & 0x40) != 0;
  if ((b0 & 0x30) != 0 || (rsv1 && !compression_))
    throw ProtocolError(close_code::kProtocolError, "reserved bits set");
  if (!known_opcode(b0 & 0x0F)) throw ProtocolError(close_code::kProtocolError, "reserved opcode");
  if (rsv1 && (b0 & 0x0F) != static_cast<uint8_t>(Opcode::kText) &&
      (b0 & 0x0F) != static_cast<uint8_t>(Opcode::kBinary))
    throw ProtocolError(close_code::kProtocolError, "RSV1 on a control or continuation frame");
  if ((b1 & 0x80) == 0) throw ProtocolError(close_code::kProtocolError, "unmasked client frame");
  fin_ = (b0 & 0x80) != 0;
  opcode_ = static_cast<Opcode>(b0 & 0x0F);
  const uint8_t len7 = b1 & 0x7F;
  size_t at = 2;
  uint64_t length = len7;
  if (len7 == 126) {
    length = (uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
  } else if (len7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
    at = 10;
    if ((length >> 63) != 0)
      throw ProtocolError(close_code::kProtocolError, "frame length too large");
  }
  std::memcpy(mask_.data(), header_.data() + at, 4);
  mask_pos_ = 0;
  if (is_control(opcode_)) {
    if (!fin_) throw ProtocolError(close_code::kProtocolError, "fragmented control frame");
    if (length > kMaxControlPayload)
      throw ProtocolError(close_code::kProtocolError, "control frame too long");
    control_.clear();
  } else if (opcode_ == Opcode::kContinuation) {
    if (message_kind_ == Opcode::kContinuation)
      throw ProtocolError(close_code::kProtocolError, "continuation frame without a message");
  } else {
    if (message_kind_ != Opcode::kContinuation)
      throw ProtocolError(close_code::kProtocolError, "new message inside a fragmented one");
    message_kind_ = opcode_;
    message_compressed_ = rsv1;
    message_.clear();
  }
  if (!is_control(opcode_) && length > max_message_ - std::min(max_message_, message_.size()))
    throw ProtocolError(close_code::kTooBig, "message too big");
  left_ = length;
  in_payload_ = true;
}

size_t FrameParser::take_payload(std::string_view bytes) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(left_, bytes.size()));
  std::string& target = is_control(opcode_) ? control_ : message_;
  const size_t at = target.size();
  target.append(bytes.data(), n);
  unmask(target.data() + at, n, mask_, mask_pos_);
  mask_pos_ += n;
  left_ -= n;
  return n;
}

void FrameParser::end_frame(std::vector<Event>& events) {
  in_payload_ = false;
  switch (opcode_) {
    case Opcode::kPing:
      events.push_back({Event::Kind::kPing, std::move(control_)});
      return;
    case Opcode::kPong:
      events.push_back({Event::Kind::kPong, std::move(control_)});
      return;
    case Opcode::kClose: {
      Event close{Event::Kind::kClose, {}, close_code::kNoStatus};
      if (control_.size() == 1)
        throw ProtocolError(close_code::kProtocolError, "close frame with a one-byte payload");
      if (control_.size() >= 2) {
        close.close_code =
            (static_cast<uint8_t>(control_[0]) << 8) | static_cast<uint8_t>(control_[1]);
        if (!sendable_close_code(close.close_code))
          throw ProtocolError(close_code::kProtocolError, "invalid close code");
        close.payload = control_.substr(2);
        if (!util::valid_utf8(close.payload))
          throw ProtocolError(close_code::kInvalidData, "close reason is not UTF-8");
      }
      closed_ = true;
      events.push_back(std::move(close));
      return;
    }
    default:
      break;
  }
  if (!fin_) return;  // more fragments follow
  const bool text = message_kind_ == Opcode::kText;
  message_kind_ = Opcode::kContinuation;
  if (text && !message_compressed_ && !util::valid_utf8(message_))
    throw ProtocolError(close_code::kInvalidData, "text message is not UTF-8");
  events.push_back({text ? Event::Kind::kText : Event::Kind::kBinary, std::move(message_), 0,
                    message_compressed_});
  message_.clear();
}

size_t write_frame_header(Opcode opcode, bool fin, uint64_t length, std::array<uint8_t, 10>& out,
                          bool compressed) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0x00) | (compressed ? 0x40 : 0x00) |
                                static_cast<uint8_t>(opcode));
  if (length < 126) {
    out[1] = static_cast<uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(length >> 8);
    out[3] = static_cast<uint8_t>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(length >> (56 - 8 * i));
  return 10;
}

std::string close_payload(int code, std::string_view reason) {
  if (code == 0) return {};
  std::string payload;
  payload.push_back(static_cast<char>((code >> 8) & 0xFF));
  payload.push_back(static_cast<char>(code & 0xFF));
  size_t keep = std::min(reason.size(), kMaxControlPayload - 2);
  // Never cut inside a UTF-8 sequence: back off over continuation bytes.
  while (keep < reason.size() && keep > 0 && (static_cast<uint8_t>(reason[keep]) & 0xC0) == 0x80)
    --keep;
  payload.append(reason.substr(0, keep));
  return payload;
}

}  // namespace gf::http::websocket
