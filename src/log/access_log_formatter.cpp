// Compiling and rendering Gunicorn access-log formats. The format is Python %-formatting
// against a dict of atoms (SafeAtoms), so parsing follows Python's %-spec grammar.
#include <fmt/format.h>

#include <array>
#include <ctime>

#include "log/access_log.hpp"
#include "log/basic_auth.hpp"
#include "log/log_clock.hpp"
#include "util/ascii.hpp"

namespace gf::log {

namespace {

enum class Atom : uint8_t {
  kLiteral,
  kRemoteAddr,       // h
  kDash,             // l, and every unknown name
  kUser,             // u
  kTime,             // t
  kRequestLine,      // r
  kStatus,           // s
  kMethod,           // m
  kPathInfo,         // U
  kQuery,            // q
  kProtocol,         // H
  kBodyBytes,        // B
  kBodyBytesOrDash,  // b
  kReferer,          // f
  kUserAgent,        // a
  kSeconds,          // T
  kMillis,           // M
  kMicros,           // D
  kSecondsDecimal,   // L
  kPid,              // p
  kRequestHeader,    // {name}i
  kResponseHeader,   // {name}o
  kEnviron,          // {name}e
};

// Atoms that print one text field of the record (escaped).
constexpr std::pair<Atom, std::string_view AccessRecord::*> kTextFields[] = {
    {Atom::kRemoteAddr, &AccessRecord::remote_addr}, {Atom::kMethod, &AccessRecord::method},
    {Atom::kPathInfo, &AccessRecord::path_info},     {Atom::kQuery, &AccessRecord::query},
    {Atom::kProtocol, &AccessRecord::protocol},
};
// Atoms that print the request's duration in whole units of this many microseconds.
constexpr std::pair<Atom, uint64_t> kDurationUnits[] = {
    {Atom::kSeconds, 1'000'000}, {Atom::kMillis, 1'000}, {Atom::kMicros, 1}};

Atom simple_atom(std::string_view key) {
  if (key.size() != 1) return Atom::kDash;
  switch (key[0]) {
    case 'h':
      return Atom::kRemoteAddr;
    case 'l':
      return Atom::kDash;
    case 'u':
      return Atom::kUser;
    case 't':
      return Atom::kTime;
    case 'r':
      return Atom::kRequestLine;
    case 's':
      return Atom::kStatus;
    case 'm':
      return Atom::kMethod;
    case 'U':
      return Atom::kPathInfo;
    case 'q':
      return Atom::kQuery;
    case 'H':
      return Atom::kProtocol;
    case 'B':
      return Atom::kBodyBytes;
    case 'b':
      return Atom::kBodyBytesOrDash;
    case 'f':
      return Atom::kReferer;
    case 'a':
      return Atom::kUserAgent;
    case 'T':
      return Atom::kSeconds;
    case 'M':
      return Atom::kMillis;
    case 'D':
      return Atom::kMicros;
    case 'L':
      return Atom::kSecondsDecimal;
    case 'p':
      return Atom::kPid;
    default:
      return Atom::kDash;
  }
}

using util::ascii_lower;
using util::ascii_upper;

// 1 for bytes that must not reach the log raw: '"' (Gunicorn's SafeAtoms) and control bytes
// (our addition: a CR/LF or ESC in a header must not forge a line or drive a terminal).
constexpr std::array<bool, 256> make_escape_table() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t[0x7f] = true;
  t['"'] = true;
  return t;
}
constexpr auto kNeedsEscape = make_escape_table();

void append_escaped(std::string& out, std::string_view value) {
  size_t run = 0;  // copy clean runs in one append: the common case has no escapes at all
  for (size_t i = 0; i < value.size(); ++i) {
    auto byte = static_cast<unsigned char>(value[i]);
    if (!kNeedsEscape[byte]) continue;
    out.append(value.data() + run, i - run);
    if (byte == '"') {
      out.append("\\\"");
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      char esc[4] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
      out.append(esc, 4);
    }
    run = i + 1;
  }
  out.append(value.data() + run, value.size() - run);
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto end = fmt::format_to(buf, "{}", n);
  out.append(buf, static_cast<size_t>(end - buf));
}

std::string_view first_token(std::string_view status) {
  size_t start = status.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  status.remove_prefix(start);
  return status.substr(0, status.find_first_of(" \t"));
}

}  // namespace

struct AccessLogFormatter::Segment {
  Atom atom = Atom::kLiteral;
  std::string text;  // the literal run, or the header/environ name of a {name}x atom
  // Python %-spec pieces that change the output of a string conversion.
  bool left_align = false;
  bool zero_pad = false;
  int width = 0;
  int precision = -1;

  bool plain() const { return width == 0 && precision < 0; }
  bool numeric() const {
    return atom == Atom::kBodyBytes || atom == Atom::kSeconds || atom == Atom::kMillis ||
           atom == Atom::kMicros;
  }
};

namespace {

// Parses "(key)flags width.precision conv" after a '%'. Returns the index after the spec, or
// npos when the spec is incomplete (Python would raise; we keep the text literally).
template <typename Segment>
size_t parse_spec(std::string_view f, size_t i, Segment& seg) {
  // i points at '('. Python allows nested parentheses inside the key.
  int depth = 1;
  size_t key_start = i + 1;
  size_t j = key_start;
  for (; j < f.size() && depth > 0; ++j) {
    if (f[j] == '(') ++depth;
    if (f[j] == ')') --depth;
  }
  if (depth != 0) return std::string_view::npos;
  std::string_view key = f.substr(key_start, j - 1 - key_start);

  for (; j < f.size(); ++j) {
    char c = f[j];
    if (c == '-') {
      seg.left_align = true;
    } else if (c == '0') {
      seg.zero_pad = true;
    } else if (c != '+' && c != ' ' && c != '#') {
      break;
    }
  }
  for (; j < f.size() && f[j] >= '0' && f[j] <= '9'; ++j) seg.width = seg.width * 10 + (f[j] - '0');
  if (j < f.size() && f[j] == '.') {
    seg.precision = 0;
    for (++j; j < f.size() && f[j] >= '0' && f[j] <= '9'; ++j) {
      seg.precision = seg.precision * 10 + (f[j] - '0');
    }
  }
  while (j < f.size() && (f[j] == 'h' || f[j] == 'l' || f[j] == 'L')) ++j;  // ignored by Python
  if (j >= f.size()) return std::string_view::npos;
  char conversion = f[j++];
  // Only numeric conversions zero-pad; s/r/a pad with spaces whatever the flag says.
  if (conversion != 'd' && conversion != 'i' && conversion != 'u') seg.zero_pad = false;

  // "{Name}i" keys are matched lowercased, like SafeAtoms.__getitem__.
  if (key.size() >= 3 && key.front() == '{' && key[key.size() - 2] == '}') {
    char kind = ascii_lower(key.back());
    seg.text = std::string(key.substr(1, key.size() - 3));
    if (kind == 'i') {
      seg.atom = Atom::kRequestHeader;
      for (char& c : seg.text) c = ascii_upper(c);  // AccessRecord wants "USER-AGENT"
    } else if (kind == 'o') {
      seg.atom = Atom::kResponseHeader;
    } else if (kind == 'e') {
      seg.atom = Atom::kEnviron;
    } else {
      seg.atom = Atom::kDash;
      seg.text.clear();
    }
  } else {
    seg.atom = simple_atom(key);
  }
  return j;
}

}  // namespace

AccessLogFormatter::AccessLogFormatter(std::string_view f) {
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    segments_.push_back(Segment{Atom::kLiteral, std::move(literal)});
    literal.clear();
  };
  size_t i = 0;
  while (i < f.size()) {
    char c = f[i];
    if (c != '%' || i + 1 >= f.size()) {
      literal.push_back(c);
      ++i;
      continue;
    }
    if (f[i + 1] == '%') {
      literal.push_back('%');
      i += 2;
      continue;
    }
    if (f[i + 1] != '(') {  // a key-less spec cannot index a dict; keep it as text
      literal.push_back('%');
      ++i;
      continue;
    }
    Segment seg;
    size_t next = parse_spec(f, i + 1, seg);
    if (next == std::string_view::npos) {
      literal.append(f.substr(i));
      break;
    }
    flush_literal();
    segments_.push_back(std::move(seg));
    i = next;
  }
  flush_literal();
}

AccessLogFormatter::~AccessLogFormatter() = default;
AccessLogFormatter::AccessLogFormatter(const AccessLogFormatter&) = default;
AccessLogFormatter& AccessLogFormatter::operator=(const AccessLogFormatter&) = default;
AccessLogFormatter::AccessLogFormatter(AccessLogFormatter&&) noexcept = default;
AccessLogFormatter& AccessLogFormatter::operator=(AccessLogFormatter&&) noexcept = default;

std::string AccessLogFormatter::render(const AccessRecord& record) const {
  std::string out;
  out.reserve(256);
  render_to(record, out);
  return out;
}

namespace {

// Gunicorn shows a value that is missing (no header, no user, no length) as "-".
template <typename Optional>
void append_escaped_or_dash(std::string& out, const Optional& value) {
  if (value) {
    append_escaped(out, *value);
  } else {
    out.push_back('-');
  }
}

// A header or environ lookup; the record may have no lookup at all (no request yet).
template <typename Lookup>
void append_lookup(std::string& out, const Lookup& lookup, std::string_view name) {
  if (lookup) {
    append_escaped_or_dash(out, lookup(name));
  } else {
    out.push_back('-');
  }
}

template <typename Segment>
void append_atom(std::string& out, const Segment& seg, const AccessRecord& r) {
  const uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(r.duration.count(), 0));
  // Atoms that print one text field of the record, or the duration in one unit.
  for (const auto& [atom, field] : kTextFields) {
    if (seg.atom != atom) continue;
    append_escaped(out, r.*field);
    return;
  }
  for (const auto& [atom, per_unit] : kDurationUnits) {
    if (seg.atom != atom) continue;
    append_number(out, micros / per_unit);
    return;
  }
  switch (seg.atom) {
    case Atom::kLiteral:
      out.append(seg.text);
      return;
    case Atom::kDash:
      out.push_back('-');
      return;
    case Atom::kUser: {
      std::optional<std::string_view> header;
      if (r.request_header) header = r.request_header("AUTHORIZATION");
      std::optional<std::string> user;
      if (header) user = basic_auth_user(*header);
      append_escaped_or_dash(out, user);
      return;
    }
    case Atom::kTime: {
      // Gunicorn stamps the line when it is logged, i.e. when the response is done.
      auto logged_at =
          r.start + std::chrono::duration_cast<std::chrono::system_clock::duration>(r.duration);
      out.append(access_log_stamp(std::chrono::system_clock::to_time_t(logged_at)));
      return;
    }
    case Atom::kRequestLine:
      append_escaped(out, r.method);
      out.push_back(' ');
      append_escaped(out, r.raw_uri);
      out.push_back(' ');
      append_escaped(out, r.protocol);
      return;
    case Atom::kStatus:
      append_escaped(out, first_token(r.status));
      return;
    case Atom::kBodyBytes:
    case Atom::kBodyBytesOrDash:
      if (r.body_bytes) {
        append_number(out, *r.body_bytes);
      } else {
        out.push_back('-');
      }
      return;
    case Atom::kReferer:
      append_lookup(out, r.request_header, "REFERER");
      return;
    case Atom::kUserAgent:
      append_lookup(out, r.request_header, "USER-AGENT");
      return;
    case Atom::kSecondsDecimal: {
      char buf[40];
      auto end = fmt::format_to(buf, "{}.{:06}", micros / 1000000, micros % 1000000);
      out.append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case Atom::kPid: {
      char buf[24];
      auto end = fmt::format_to(buf, "<{}>", r.pid);
      out.append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case Atom::kRequestHeader:
      append_lookup(out, r.request_header, seg.text);
      return;
    case Atom::kResponseHeader:
      append_lookup(out, r.response_header, seg.text);
      return;
    case Atom::kEnviron:
      append_lookup(out, r.environ_lookup, seg.text);
      return;
  }
}

// Applies "%-10.3s"-style precision and width to what append_atom wrote after `start`.
// Python applies them to the escaped string, so counting escaped bytes is right.
template <typename Segment>
void apply_spec(std::string& out, size_t start, const Segment& seg) {
  if (seg.precision >= 0 && !seg.numeric() && out.size() - start > size_t(seg.precision)) {
    out.resize(start + static_cast<size_t>(seg.precision));
  }
  size_t len = out.size() - start;
  if (seg.width <= 0 || len >= static_cast<size_t>(seg.width)) return;
  size_t pad = static_cast<size_t>(seg.width) - len;
  if (seg.left_align) {
    out.append(pad, ' ');
  } else if (seg.zero_pad && seg.numeric() && out[start] != '-') {
    out.insert(start, pad, '0');
  } else {
    out.insert(start, pad, ' ');
  }
}

}  // namespace

void AccessLogFormatter::render_to(const AccessRecord& record, std::string& out) const {
  for (const Segment& seg : segments_) {
    if (seg.plain()) {
      append_atom(out, seg, record);
    } else {
      size_t start = out.size();
      append_atom(out, seg, record);
      apply_spec(out, start, seg);
    }
  }
}

}  // namespace gf::log
