#include "http/websocket/ws_deflate.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "http/char_classes.hpp"

namespace gf::http::websocket {
namespace {

constexpr int kServerWindowBits = 12;  // 4 KiB window: a small, fixed cost per connection
constexpr int kServerMemLevel = 4;
constexpr std::string_view kTail("\x00\x00\xff\xff", 4);

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(sep);
    out.push_back(chars::strip_sp_htab(s.substr(0, at)));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// A window-bits value: 8-15, possibly quoted.
std::optional<int> window_bits(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  if (value.size() == 1 && value[0] >= '8' && value[0] <= '9') return value[0] - '0';
  if (value.size() == 2 && value[0] == '1' && value[1] >= '0' && value[1] <= '5')
    return 10 + (value[1] - '0');
  return std::nullopt;
}

// One offer ("permessage-deflate; a; b=1"), or nullopt when it must be declined.
std::optional<DeflateParams> read_offer(std::string_view offer) {
  const std::vector<std::string_view> parts = split(offer, ';');
  if (!chars::iequals(parts[0], "permessage-deflate")) return std::nullopt;
  DeflateParams p;
  bool seen[4] = {false, false, false, false};
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view name = parts[i];
    std::string_view value;
    const size_t eq = name.find('=');
    if (eq != std::string_view::npos) {
      value = chars::strip_sp_htab(name.substr(eq + 1));
      name = chars::strip_sp_htab(name.substr(0, eq));
    }
    int which;
    if (chars::iequals(name, "server_no_context_takeover") && value.empty()) {
      which = 0;
      p.server_no_context_takeover = true;
    } else if (chars::iequals(name, "client_no_context_takeover") && value.empty()) {
      which = 1;
      p.client_no_context_takeover = true;
    } else if (chars::iequals(name, "server_max_window_bits")) {
      which = 2;
      const std::optional<int> bits = window_bits(value);
      // zlib cannot make 2^8 raw-deflate windows: decline rather than break the promise.
      if (!bits || *bits < 9) return std::nullopt;
      p.server_max_window_bits = *bits;
    } else if (chars::iequals(name, "client_max_window_bits")) {
      which = 3;
      // The client may limit its own window; without a value it only says it could. Our
      // inflater takes any window, so nothing to answer.
      if (!value.empty() && !window_bits(value)) return std::nullopt;
    } else {
      return std::nullopt;  // unknown parameter
    }
    if (seen[which]) return std::nullopt;  // a parameter twice
    seen[which] = true;
  }
  return p;
}

}  // namespace

std::optional<DeflateParams> accept_deflate_offer(const RequestHead& head) {
  for (const HeaderField& h : head.headers) {
    if (!h.is("sec-websocket-extensions")) continue;
    for (std::string_view offer : split(h.value, ','))
      if (std::optional<DeflateParams> p = read_offer(offer)) return p;
  }
  return std::nullopt;
}

std::string deflate_response(const DeflateParams& params) {
  std::string out = "permessage-deflate";
  if (params.server_no_context_takeover) out += "; server_no_context_takeover";
  if (params.client_no_context_takeover) out += "; client_no_context_takeover";
  if (params.server_max_window_bits < 15)
    out += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
  return out;
}

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params) : params_(params) {}

PerMessageDeflate::~PerMessageDeflate() {
  if (deflate_ready_) deflateEnd(&deflate_);
  if (inflate_ready_) inflateEnd(&inflate_);
}

std::string PerMessageDeflate::compress(std::string_view message) {
  if (!deflate_ready_) {
    const int bits = std::min(kServerWindowBits, params_.server_max_window_bits);
    if (deflateInit2(&deflate_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, kServerMemLevel,
                     Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2 failed");
    deflate_ready_ = true;
  }
  std::string out;
  out.resize(deflateBound(&deflate_, message.size()) + 16);
  deflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  deflate_.avail_in = static_cast<uInt>(message.size());
  size_t produced = 0;
  do {
    if (produced == out.size()) out.resize(out.size() * 2);
    deflate_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    deflate_.avail_out = static_cast<uInt>(out.size() - produced);
    deflate(&deflate_, Z_SYNC_FLUSH);
    produced = out.size() - deflate_.avail_out;
  } while (deflate_.avail_out == 0);
  out.resize(produced);
  if (out.size() >= kTail.size() && std::string_view(out).substr(out.size() - 4) == kTail)
    out.resize(out.size() - 4);
  if (params_.server_no_context_takeover) deflateReset(&deflate_);
  return out;
}

bool PerMessageDeflate::decompress(std::string_view payload, size_t max_bytes, std::string& out,
                                   bool& too_big) {
  too_big = false;
  if (!inflate_ready_) {
    if (inflateInit2(&inflate_, -15) != Z_OK) return false;
    inflate_ready_ = true;
  }
  out.clear();
  std::array<char, 16 * 1024> chunk;
  // The message, then the tail the sender removed. Each input is fed until zlib has taken all
  // of it and has nothing more to give (a full `chunk` means there may be more).
  for (std::string_view input : {payload, kTail}) {
    inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    inflate_.avail_in = static_cast<uInt>(input.size());
    do {
      inflate_.next_out = reinterpret_cast<Bytef*>(chunk.data());
      inflate_.avail_out = static_cast<uInt>(chunk.size());
      const int rc = inflate(&inflate_, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return false;
      const size_t n = chunk.size() - inflate_.avail_out;
      if (out.size() + n > max_bytes) {
        too_big = true;
        return false;
      }
      out.append(chunk.data(), n);
      // A final block (BFINAL) inside a message: what follows starts a fresh stream.
      if (rc == Z_STREAM_END) inflateReset(&inflate_);
      if (rc == Z_BUF_ERROR && n == 0) break;  // no progress possible with this input
    } while (inflate_.avail_in > 0 || inflate_.avail_out == 0);
  }
  if (params_.client_no_context_takeover) inflateReset(&inflate_);
  return true;
}

}  // namespace gf::http::websocket
