// Header lines of a request head or a chunked trailer section, parsed with Gunicorn's per-line
// rules (token names, obs-fold, forbidden bytes, size limits) and its per-header policy
// (Expect, secure_scheme_headers, underscore names).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/parse_limits.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"

namespace gf::http {

struct HeaderBlockRules {
  const ParserOptions& options;
  const ParseLimits& limits;
  bool trusted_forwarder = false;  // secure_scheme_headers and forwarder_headers apply
  bool trailer = false;            // trailer section: no Expect/scheme, forbidden names
};

// What the head learned from its headers besides the list itself.
struct HeaderBlockFacts {
  bool expect_continue = false;
  bool scheme_set = false;
  std::string scheme;  // valid when scheme_set
};

// `block` is the header lines joined by CRLF, without the terminating empty line. Appends the
// fields that survive the policy to `out`. Throws RequestError (LimitRequestHeaders 431,
// InvalidHeader, InvalidHeaderName, ObsoleteFolding, InvalidSchemeHeaders 400,
// ExpectationFailed 417).
void parse_header_block(std::string_view block, const HeaderBlockRules& rules, int version_major,
                        int version_minor, std::vector<HeaderField>& out, HeaderBlockFacts& facts);

}  // namespace gf::http
