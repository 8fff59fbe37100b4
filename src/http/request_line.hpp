// The request line ("GET /path?q HTTP/1.1") checked with Gunicorn's rules for methods, targets
// and versions, and the target split into path, query and fragment.
#pragma once

#include <string_view>

#include "http/parser_options.hpp"
#include "http/request.hpp"

namespace gf::http {

// Fills head.method/target/path/query/fragment/version_*. `line` excludes the CRLF.
// Throws RequestError: InvalidRequestLine, InvalidRequestMethod, InvalidHTTPVersion (all 400).
void parse_request_line(std::string_view line, const ParserOptions& options, RequestHead& head);

}  // namespace gf::http
