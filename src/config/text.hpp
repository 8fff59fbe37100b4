// Small string helpers with Python's meaning (str.strip, str.lower), used by the validators so
// that values are trimmed and compared the way Gunicorn does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gf::config {

std::string_view strip(std::string_view text);  // Python whitespace: " \t\n\r\f\v"
std::string to_lower(std::string_view text);    // ASCII only
std::vector<std::string_view> split(std::string_view text, char separator);
std::string join(const std::vector<std::string_view>& parts, std::string_view separator);

}  // namespace gf::config
