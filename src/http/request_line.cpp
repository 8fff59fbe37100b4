#include "http/request_line.hpp"

#include <arpa/inet.h>

#include <array>
#include <string>

#include "http/char_classes.hpp"
#include "http/errors.hpp"
#include "util/python_repr.hpp"

namespace gf::http {

namespace {

[[noreturn]] void invalid_line(std::string_view line) {
  throw RequestError(400, "InvalidRequestLine",
                     "Invalid HTTP request line: " + util::python_repr_latin1(line));
}

void check_method(std::string_view method, const ParserOptions& options) {
  auto reject = [&] {
    throw RequestError(400, "InvalidRequestMethod",
                       "Invalid HTTP method: " + util::python_repr_latin1(method));
  };
  if (!options.permit_unconventional_http_method) {
    if (method.size() < 3 || method.size() > 20) reject();
    for (char c : method)
      if ((c >= 'a' && c <= 'z') || c == '#') reject();
  }
  if (!chars::is_token(method)) reject();
}

// Python's urlsplit() rejects a netloc with unbalanced brackets or a bracketed host that is
// neither IPv6 nor IPvFuture.
bool valid_netloc(std::string_view netloc) {
  size_t open = netloc.find('[');
  size_t close = netloc.find(']');
  if ((open == netloc.npos) != (close == netloc.npos)) return false;
  if (open == netloc.npos) return true;
  if (close < open) return false;
  std::string host(netloc.substr(open + 1, close - open - 1));
  if (!host.empty() && (host[0] == 'v' || host[0] == 'V')) return true;
  size_t zone = host.find('%');
  if (zone != std::string::npos) host.resize(zone);
  std::array<unsigned char, 16> out{};
  return inet_pton(AF_INET6, host.c_str(), out.data()) == 1;
}

// A scheme as urlsplit() recognises it: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool is_scheme(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// Gunicorn's split_request_uri(): urlsplit(), except that "//x" is a path, not an authority.
void split_target(std::string_view target, std::string_view line, RequestHead& head) {
  std::string_view rest = target;
  if (!target.starts_with("//")) {
    size_t colon = rest.find(':');
    if (colon != rest.npos && is_scheme(rest.substr(0, colon))) {
      rest.remove_prefix(colon + 1);
      if (rest.starts_with("//")) {
        rest.remove_prefix(2);
        size_t end = rest.find_first_of("/?#");
        std::string_view netloc = rest.substr(0, end == rest.npos ? rest.size() : end);
        if (!valid_netloc(netloc)) invalid_line(line);
        rest.remove_prefix(netloc.size());
      }
    }
  }
  size_t hash = rest.find('#');
  std::string_view fragment;
  if (hash != rest.npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  size_t question = rest.find('?');
  std::string_view query;
  if (question != rest.npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  head.path.assign(rest);
  head.query.assign(query);
  head.fragment.assign(fragment);
}

void check_target(std::string_view target, std::string_view method, std::string_view line) {
  if (target.empty()) invalid_line(line);
  // Gunicorn lets urlsplit() silently drop or keep control bytes here; we refuse them: a target
  // with CTLs is never legitimate and downstream consumers may disagree about it.
  for (char c : target)
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) invalid_line(line);
  if (target == "*") {
    if (method != "OPTIONS") invalid_line(line);
    return;
  }
  if (method == "CONNECT") return;
  if (target.front() != '/' && target.find("://") == target.npos) invalid_line(line);
}

void parse_version(std::string_view text, const ParserOptions& options, RequestHead& head) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 8 || !text.starts_with("HTTP/") || !digit(text[5]) || text[6] != '.' ||
      !digit(text[7]))
    throw RequestError(400, "InvalidHTTPVersion",
                       "Invalid HTTP Version: " + util::python_repr_latin1(text));
  head.version_major = text[5] - '0';
  head.version_minor = text[7] - '0';
  bool conventional = head.version_major == 1;  // [1.0, 2.0)
  if (!conventional && !options.permit_unconventional_http_version)
    throw RequestError(400, "InvalidHTTPVersion",
                       "Invalid HTTP Version: (" + std::to_string(head.version_major) + ", " +
                           std::to_string(head.version_minor) + ")");
}

}  // namespace

void parse_request_line(std::string_view line, const ParserOptions& options, RequestHead& head) {
  // line.split(b" ", 2): exactly single spaces between method and target.
  size_t first = line.find(' ');
  if (first == line.npos) invalid_line(line);
  size_t second = line.find(' ', first + 1);
  if (second == line.npos) invalid_line(line);
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  std::string_view version = line.substr(second + 1);

  check_method(method, options);
  head.method.assign(method);
  if (options.casefold_http_method)
    for (char& c : head.method) c = chars::to_upper(c);

  check_target(target, head.method, line);
  head.target.assign(target);
  // Authority-form goes through urlsplit() too, as in Gunicorn: "example.com:443" reads as
  // scheme "example.com" and path "443", "[::1]:443" as a path.
  split_target(target, line, head);
  parse_version(version, options, head);
}

}  // namespace gf::http
