#include "http/response_writer.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "http/char_classes.hpp"
#include "http/py_repr.hpp"

namespace gf::http {

namespace {

constexpr std::array<std::string_view, 8> kHopByHop = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te",         "trailers",   "transfer-encoding",  "upgrade"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), chars::to_lower);
  return out;
}

// Gunicorn's response value rule: [ \t\x21-\x7e\x80-\xff]*
bool valid_header_value(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 ? u != '\t' : u == 0x7f) return false;
  }
  return true;
}

int parse_status(std::string_view status) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (status.size() < 3 || !digit(status[0]) || !digit(status[1]) || !digit(status[2]) ||
      (status.size() > 3 && status[3] != ' '))
    throw InvalidResponse("Invalid status: " + py_repr(status));
  for (char c : status)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw InvalidResponse("Invalid status: " + py_repr(status));
  return (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
}

uint64_t parse_content_length(std::string_view value) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (value.empty()) throw InvalidResponse("Invalid Content-Length: ''");
  uint64_t n = 0;
  for (char c : value) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (c < '0' || c > '9' || n > (kMax - digit) / 10)
      throw InvalidResponse("Invalid Content-Length: " + py_repr(value));
    n = n * 10 + digit;
  }
  return n;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#x27;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

iovec iov(std::string_view s) {
  return {const_cast<char*>(s.data()), s.size()};
}

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace

ResponseWriter::ResponseWriter(util::ByteSink& sink, const RequestHead& request, bool force_close,
                               HttpDate* date)
    : sink_(sink),
      request_(request),
      force_close_(force_close),
      date_(date ? *date : HttpDate::thread_default()) {}

void ResponseWriter::start(std::string_view status, std::vector<HeaderField> headers) {
  if (headers_sent_) throw InvalidResponse("headers already sent");
  int code = parse_status(status);
  std::vector<HeaderField> kept;
  kept.reserve(headers.size());
  std::optional<uint64_t> content_length;
  bool upgrade = false;
  for (auto& h : headers) {
    if (!chars::is_token(h.name))
      throw InvalidResponse("Invalid HTTP header name: " + py_repr(h.name));
    if (!valid_header_value(h.value))
      throw InvalidResponse("Invalid HTTP Header: " + py_repr(h.value));
    std::string_view value = chars::strip_sp_htab(h.value);
    std::string name = lower(h.name);
    if (name == "content-length") {
      content_length = parse_content_length(value);
    } else if (std::find(kHopByHop.begin(), kHopByHop.end(), name) != kHopByHop.end()) {
      if (name == "connection" && chars::iequals(value, "upgrade")) upgrade = true;
      if (!(name == "upgrade" && chars::iequals(value, "websocket"))) continue;
    } else if (name == "server" || name == "date") {
      continue;  // ours go first
    }
    if (value.size() != h.value.size()) h.value = std::string(value);
    kept.push_back(std::move(h));
  }

  bool head_request = request_.method == "HEAD";
  bool no_body_status = code < 200 || code == 204 || code == 304;
  if (code < 200 || code == 204)  // Content-Length is meaningless there; HEAD/304 keep it
    std::erase_if(kept,
                  [](const HeaderField& h) { return chars::iequals(h.name, "content-length"); });
  bool http11 =
      request_.version_major > 1 || (request_.version_major == 1 && request_.version_minor >= 1);

  status_.assign(status);
  status_code_ = code;
  headers_ = std::move(kept);
  content_length_ = content_length;
  upgrade_ = upgrade;
  body_allowed_ = !head_request && !no_body_status;
  chunked_ = !content_length_ && http11 && body_allowed_;
  must_close_ =
      force_close_ || !request_.keep_alive || (!content_length_ && !chunked_ && body_allowed_);
  started_ = true;
}

std::string ResponseWriter::build_head() {
  std::string_view connection = upgrade_ ? "upgrade" : must_close_ ? "close" : "keep-alive";
  std::string head;
  head.reserve(128 + headers_.size() * 48);
  // Plain appends, not a format string: this runs once per response.
  const char version[] = {'H', 'T',
                          'T', 'P',
                          '/', static_cast<char>('0' + request_.version_major % 10),
                          '.', static_cast<char>('0' + request_.version_minor % 10),
                          ' '};
  head.append(version, sizeof version);
  head += status_;
  head += "\r\nServer: greenfork\r\nDate: ";
  head += date_.now();
  head += "\r\nConnection: ";
  head += connection;
  head += "\r\n";
  if (chunked_) head += "Transfer-Encoding: chunked\r\n";
  for (const auto& h : headers_) {
    head += h.name;
    head += ": ";
    head += h.value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

void ResponseWriter::send_head(std::span<const iovec> body) {
  std::string head = build_head();
  std::array<iovec, 8> parts;
  size_t count = 0;
  parts[count++] = iov(head);
  for (const iovec& b : body) parts[count++] = b;
  headers_sent_ = true;  // set first: a failed write must not be retried as a fresh head
  sink_.write_all(std::span<const iovec>(parts.data(), count));
}

void ResponseWriter::write_body(std::string_view data) {
  char size_line[24];
  std::array<iovec, 3> parts;
  size_t count = 0;
  if (chunked_) {
    auto end = fmt::format_to(size_line, "{:x}\r\n", data.size());
    parts[count++] = iov(std::string_view(size_line, static_cast<size_t>(end - size_line)));
    parts[count++] = iov(data);
    parts[count++] = iov(kCrlf);
  } else {
    parts[count++] = iov(data);
  }
  sent_ += data.size();
  if (!headers_sent_)
    send_head(std::span<const iovec>(parts.data(), count));
  else
    sink_.write_all(std::span<const iovec>(parts.data(), count));
}

void ResponseWriter::write(std::string_view chunk) {
  if (!started_) throw InvalidResponse("Response headers not set!");
  if (chunk.empty()) return;
  if (!body_allowed_) {
    warned_body_dropped_ = true;
    if (!headers_sent_) send_head({});
    return;
  }
  if (content_length_) {
    uint64_t room = *content_length_ - std::min(sent_, *content_length_);
    if (chunk.size() > room) chunk = chunk.substr(0, static_cast<size_t>(room));
    if (chunk.empty()) {
      if (!headers_sent_) send_head({});
      return;
    }
  }
  write_body(chunk);
}

void ResponseWriter::send_file(int fd, off_t offset, size_t count) {
  if (!started_) throw InvalidResponse("Response headers not set!");
  if (!body_allowed_ && count > 0) warned_body_dropped_ = true;
  if (content_length_)
    count = static_cast<size_t>(
        std::min<uint64_t>(count, *content_length_ - std::min(sent_, *content_length_)));
  if (!body_allowed_) count = 0;
  if (count == 0) {
    if (!headers_sent_) send_head({});
    return;
  }
  char size_line[24];
  std::string_view framing;
  if (chunked_) {
    auto end = fmt::format_to(size_line, "{:x}\r\n", count);
    framing = std::string_view(size_line, static_cast<size_t>(end - size_line));
  }
  std::array<iovec, 1> prefix{iov(framing)};
  if (!headers_sent_)
    send_head(std::span<const iovec>(prefix.data(), framing.empty() ? 0 : 1));
  else if (!framing.empty())
    sink_.write_all(prefix);
  sink_.send_file(fd, offset, count);
  sent_ += count;
  if (chunked_) {
    std::array<iovec, 1> crlf{iov(kCrlf)};
    sink_.write_all(crlf);
  }
}

void ResponseWriter::finish() {
  if (!started_) throw InvalidResponse("Response headers not set!");
  if (finished_) return;
  finished_ = true;
  std::array<iovec, 1> last{iov(kLastChunk)};
  std::span<const iovec> tail(last.data(), chunked_ ? 1 : 0);
  if (!headers_sent_)
    send_head(tail);
  else if (chunked_)
    sink_.write_all(tail);
}

bool ResponseWriter::started() const {
  return started_;
}
bool ResponseWriter::headers_sent() const {
  return headers_sent_;
}
int ResponseWriter::status_code() const {
  return status_code_;
}
const std::string& ResponseWriter::status() const {
  return status_;
}
const std::vector<HeaderField>& ResponseWriter::headers() const {
  return headers_;
}
uint64_t ResponseWriter::body_bytes_sent() const {
  return sent_;
}
bool ResponseWriter::should_close() const {
  return must_close_;
}

std::string_view ResponseWriter::reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Bad Request";  // Gunicorn quirk: UnsupportedTransferCoding keeps the 400 reason
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string ResponseWriter::error_page(int status, std::string_view message) {
  std::string_view reason = reason_phrase(status);
  std::string html = fmt::format(
      "<html>\n  <head>\n    <title>{0}</title>\n  </head>\n  <body>\n    <h1><p>{0}</p></h1>\n"
      "    {1}\n  </body>\n</html>\n",
      reason, html_escape(message));
  return fmt::format(
      "HTTP/1.1 {} {}\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: "
      "{}\r\n\r\n{}",
      status, reason, html.size(), html);
}

std::string ResponseWriter::error_page_message(const RequestError& error) {
  const std::string& kind = error.kind();
  std::string what = error.what();
  if (kind == "InvalidRequestLine") return "Invalid Request Line '" + what + "'";
  if (kind == "InvalidRequestMethod") return "Invalid Method '" + what + "'";
  if (kind == "InvalidHTTPVersion") return "Invalid HTTP Version '" + what + "'";
  if (kind == "LimitRequestHeaders") return "Error parsing headers: '" + what + "'";
  if (kind == "InvalidProxyLine") return "'" + what + "'";
  if (kind == "ForbiddenProxyRequest") return "Request forbidden";
  if (error.status() == 500) return "";  // Gunicorn shows no detail for its 500 page
  return what;
}

std::string ResponseWriter::error_page(const RequestError& error) {
  return error_page(error.status(), error_page_message(error));
}

}  // namespace gf::http
