// UTF-8 validation (RFC 3629): what a WebSocket text message and a close reason must be.
#pragma once

#include <string_view>

namespace gf::util {

// True when `bytes` is well-formed UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF),
// nothing above U+10FFFF, no truncated sequence at the end.
bool valid_utf8(std::string_view bytes);

}  // namespace gf::util
