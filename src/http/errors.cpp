#include "http/errors.hpp"

namespace gf::http {

RequestError body_too_large(uint64_t limit) {
  return RequestError(
      413, "LimitRequestBody",
      "Request body larger than limit_request_body (" + std::to_string(limit) + " bytes)");
}

}  // namespace gf::http
