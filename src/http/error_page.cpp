#include "http/error_page.hpp"

#include <fmt/format.h>

#include "log/error_log.hpp"

namespace gf::http {
namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#x27;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Bad Request";  // Gunicorn quirk: UnsupportedTransferCoding keeps the 400 reason
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string error_page(int status, std::string_view message) {
  std::string_view reason = reason_phrase(status);
  std::string html = fmt::format(
      "<html>\n  <head>\n    <title>{0}</title>\n  </head>\n  <body>\n    <h1><p>{0}</p></h1>\n"
      "    {1}\n  </body>\n</html>\n",
      reason, html_escape(message));
  return fmt::format(
      "HTTP/1.1 {} {}\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: "
      "{}\r\n\r\n{}",
      status, reason, html.size(), html);
}

std::string error_page_message(const RequestError& error) {
  const std::string& kind = error.kind();
  std::string what = error.what();
  if (kind == "InvalidRequestLine") return "Invalid Request Line '" + what + "'";
  if (kind == "InvalidRequestMethod") return "Invalid Method '" + what + "'";
  if (kind == "InvalidHTTPVersion") return "Invalid HTTP Version '" + what + "'";
  if (kind == "LimitRequestHeaders") return "Error parsing headers: '" + what + "'";
  if (kind == "InvalidProxyLine") return "'" + what + "'";
  if (kind == "ForbiddenProxyRequest") return "Request forbidden";
  if (error.status() == 500) return "";  // Gunicorn shows no detail for its 500 page
  return what;
}

std::string error_page(const RequestError& error) {
  return error_page(error.status(), error_page_message(error));
}

bool reply_to_invalid_request(util::ByteSink& out, const PeerInfo& peer,
                              const RequestError& error) {
  log::ErrorLog::get().warning("Invalid request from ip={}: {}", peer.addr, error.what());
  try {
    out.write_bytes(error_page(error));  // Gunicorn's handle_error wording
    return true;
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    return false;
  }
}

}  // namespace gf::http
