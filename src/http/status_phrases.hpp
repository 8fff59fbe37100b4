// The standard reason phrase of an HTTP status code (RFC 9110 and the IANA registry, as
// Python's http.HTTPStatus spells them): what an ASGI response's status line says, since ASGI
// apps give only the number.
#pragma once

#include <string_view>

namespace gf::http {

// "OK" for 200; "" for a code without a registered phrase.
std::string_view status_phrase(int status);

}  // namespace gf::http
