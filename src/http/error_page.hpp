// The responses greenfork writes itself when a request cannot be served (a malformed request, an
// application that failed before responding): Gunicorn's status lines, reasons and HTML bodies,
// byte for byte, so clients and monitoring see what they saw with Gunicorn.
#pragma once

#include <string>
#include <string_view>

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "util/stream.hpp"

namespace gf::http {

// "HTTP/1.1 <code> <reason>\r\nConnection: close\r\n..." + an HTML body showing `message`.
std::string error_page(int status, std::string_view message);
// The page for a rejected request: status and message text as Gunicorn's handle_error words them.
std::string error_page(const RequestError& error);
std::string error_page_message(const RequestError& error);
std::string_view reason_phrase(int status);

// What every protocol does with a request it will not serve: Gunicorn's log line ("Invalid
// request from ip=...") and the error page, sent best-effort (the connection closes afterwards
// either way). False if the client was already gone.
bool reply_to_invalid_request(util::ByteSink& out, const PeerInfo& peer, const RequestError& error);

}  // namespace gf::http
