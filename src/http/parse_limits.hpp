// The size limits Gunicorn derives from the limit_request_* settings, computed once per
// parser so the hot path compares plain numbers.
#pragma once

#include <cstddef>

#include "http/parser_options.hpp"

namespace gf::http {

struct ParseLimits {
  static constexpr size_t kMaxRequestLine = 8190;
  // limit_request_line = 0 means "unlimited" in Gunicorn; we still stop at 1 MiB (as Gunicorn's
  // fast parser does) so a peer cannot make us buffer without end.
  static constexpr size_t kUnlimitedRequestLineCap = 1 << 20;
  static constexpr size_t kMaxHeaders = 32768;
  static constexpr size_t kDefaultFieldSize = 8190;

  size_t request_line;  // never 0
  bool request_line_unlimited;
  size_t fields;              // header lines allowed
  size_t field_size;          // bytes per header line incl. CRLF and folded continuations
  size_t max_buffer_headers;  // bytes of a header block (or trailer section) still incomplete

  static ParseLimits from(const ParserOptions& o) {
    ParseLimits l{};
    l.request_line_unlimited = o.limit_request_line == 0;
    l.request_line = l.request_line_unlimited                  ? kUnlimitedRequestLineCap
                     : o.limit_request_line >= kMaxRequestLine ? kMaxRequestLine
                                                               : o.limit_request_line;
    l.fields = (o.limit_request_fields == 0 || o.limit_request_fields > kMaxHeaders)
                   ? kMaxHeaders
                   : o.limit_request_fields;
    l.field_size = o.limit_request_field_size == 0 ? kDefaultFieldSize : o.limit_request_field_size;
    l.max_buffer_headers = l.fields * (l.field_size + 2) + 4;
    return l;
  }
};

}  // namespace gf::http
