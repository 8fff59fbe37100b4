#include "http/header_block.hpp"

#include <algorithm>
#include <array>

#include "http/char_classes.hpp"
#include "http/errors.hpp"
#include "util/python_repr.hpp"

namespace gf::http {

namespace {

constexpr std::array<std::string_view, 6> kForbiddenTrailers = {
    "HOST", "CONTENT-LENGTH", "TRANSFER-ENCODING", "TRAILER", "AUTHORIZATION", "TE"};

[[noreturn]] void too_large(const char* what) {
  throw RequestError(431, "LimitRequestHeaders", what);
}
[[noreturn]] void invalid_header(std::string_view text) {
  throw RequestError(400, "InvalidHeader",
                     "Invalid HTTP Header: " + util::python_repr_latin1(text));
}
[[noreturn]] void invalid_name(std::string_view name) {
  throw RequestError(400, "InvalidHeaderName",
                     "Invalid HTTP header name: " + util::python_repr_latin1(name));
}
// Gunicorn reports a header it refuses by its upper-cased name.
[[noreturn]] void invalid_upper_name(std::string_view name) {
  invalid_name(util::ascii_upper_copy(name));
}

bool is_forbidden_trailer(std::string_view name) {
  return std::any_of(
      kForbiddenTrailers.begin(), kForbiddenTrailers.end(),
      [name](std::string_view forbidden) { return chars::iequals(forbidden, name); });
}

// Splits `block` on CRLF only; a bare CR or LF stays inside its line (and is rejected later).
class LineCursor {
 public:
  explicit LineCursor(std::string_view block) : rest_(block), done_(block.empty()) {}
  bool done() const { return done_; }
  std::string_view peek() const {
    size_t end = rest_.find("\r\n");
    return end == rest_.npos ? rest_ : rest_.substr(0, end);
  }
  std::string_view next() {
    size_t end = rest_.find("\r\n");
    std::string_view line = end == rest_.npos ? rest_ : rest_.substr(0, end);
    if (end == rest_.npos) {
      done_ = true;
      rest_ = {};
    } else {
      rest_.remove_prefix(end + 2);
    }
    return line;
  }

 private:
  std::string_view rest_;
  bool done_;
};

bool has_underscore(std::string_view name) {
  return name.find('_') != name.npos;
}

bool forwarder_allowed(const ParserOptions& options, std::string_view name) {
  for (const auto& allowed : options.forwarder_headers)
    if (allowed == "*" || chars::iequals(allowed, name)) return true;
  return false;
}

void apply_expect(std::string_view value, int major, int minor, HeaderBlockFacts& facts) {
  if (chars::iequals(value, "100-continue")) {
    // RFC 9110 10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
    if (major > 1 || (major == 1 && minor >= 1)) facts.expect_continue = true;
    return;
  }
  throw RequestError(417, "ExpectationFailed",
                     "Unable to comply with expectation: " + util::python_repr_latin1(value));
}

void apply_secure_scheme(const ParserOptions& options, std::string_view name,
                         std::string_view value, HeaderBlockFacts& facts) {
  for (const auto& [header, secure_value] : options.secure_scheme_headers) {
    if (!chars::iequals(header, name)) continue;
    std::string_view scheme = value == secure_value ? "https" : "http";
    if (facts.scheme_set) {
      if (scheme != facts.scheme)
        throw RequestError(400, "InvalidSchemeHeaders", "Contradictory scheme headers");
    } else {
      facts.scheme_set = true;
      facts.scheme.assign(scheme);
    }
    return;
  }
}

}  // namespace

void parse_header_block(std::string_view block, const HeaderBlockRules& rules, int version_major,
                        int version_minor, std::vector<HeaderField>& out, HeaderBlockFacts& facts) {
  const ParserOptions& options = rules.options;
  const ParseLimits& limits = rules.limits;
  size_t fields_seen = 0;  // dropped underscore headers count too
  std::string folded;
  LineCursor lines(block);
  while (!lines.done()) {
    if (fields_seen >= limits.fields) too_large("limit request headers fields");
    std::string_view line = lines.next();
    size_t header_length = line.size() + 2;
    size_t colon = line.find(':');
    if (colon == line.npos || colon == 0) invalid_header(line);
    std::string_view raw_name = line.substr(0, colon);
    if (options.strip_header_spaces)
      while (!raw_name.empty() && chars::is_sp_or_htab(raw_name.back())) raw_name.remove_suffix(1);
    if (!chars::is_token(raw_name)) invalid_name(raw_name);

    std::string_view value = chars::strip_sp_htab(line.substr(colon + 1));

    bool is_folded = false;
    while (!lines.done() && !lines.peek().empty() && chars::is_sp_or_htab(lines.peek().front())) {
      if (!options.permit_obsolete_folding)
        throw RequestError(400, "ObsoleteFolding",
                           "Obsolete line folding is unacceptable: " +
                               util::python_repr_latin1(util::ascii_upper_copy(raw_name)));
      std::string_view continuation = lines.next();
      header_length += continuation.size() + 2;
      if (header_length > limits.field_size) too_large("limit request headers fields size");
      if (!is_folded) folded.assign(value);
      is_folded = true;
      folded += ' ';
      folded += chars::strip_sp_htab(continuation);
    }
    if (is_folded) value = folded;

    for (char c : value)
      if (chars::is_forbidden_in_field_value(c)) invalid_header(util::ascii_upper_copy(raw_name));
    if (header_length > limits.field_size) too_large("limit request headers fields size");
    ++fields_seen;

    if (rules.trailer) {
      if (is_forbidden_trailer(raw_name)) invalid_upper_name(raw_name);
    } else {
      if (chars::iequals(raw_name, "EXPECT"))
        apply_expect(value, version_major, version_minor, facts);
      if (rules.trusted_forwarder) apply_secure_scheme(options, raw_name, value, facts);
    }

    if (has_underscore(raw_name)) {
      bool forwarded =
          !rules.trailer && rules.trusted_forwarder && forwarder_allowed(options, raw_name);
      if (!forwarded) {
        if (options.header_map == HeaderMap::kDrop) continue;
        if (options.header_map == HeaderMap::kRefuse) invalid_upper_name(raw_name);
      }
    }
    out.push_back(HeaderField{std::string(raw_name), std::string(value)});
  }
}

}  // namespace gf::http
