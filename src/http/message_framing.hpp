// Decides how a request's body is delimited and whether the connection may be kept, from its
// parsed headers: duplicate singletons, Content-Length / Transfer-Encoding rules, Connection.
#pragma once

#include "http/request.hpp"

namespace gf::http {

// Sets head.framing (body kind and length, keep-alive, upgrade). Throws RequestError:
// InvalidHeader (400) for duplicate Host/Content-Type/Content-Length, bad Content-Length,
// chunked twice or followed by another coding, chunked on HTTP/1.0, chunked with Content-Length;
// UnsupportedTransferCoding (501) for an unknown coding.
void apply_message_framing(RequestHead& head);

}  // namespace gf::http
