// libFuzzer target: gf::http::parse_proxy_header (PROXY protocol v1 and v2).
//
// Input layout: 1 control byte (mode, peer flags), then the first bytes of a connection. Every
// prefix of the data is parsed too, the way bytes arriving one by one are: a prefix may only
// need more, be not-a-PROXY-header, or fail; once parsed, longer inputs must parse the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/errors.hpp"
#include "http/proxy_protocol.hpp"

namespace {

using gf::http::ProxyHeaderResult;
using Status = ProxyHeaderResult::Status;

struct Outcome {
  bool threw = false;
  int status = 0;
  ProxyHeaderResult result;
};

Outcome parse(const char* bytes, size_t n, gf::http::ProxyProtocol mode,
              const gf::http::PeerInfo& peer) {
  // An exactly-sized heap copy so that any read past the end is an ASan report.
  std::unique_ptr<char[]> copy(new char[n ? n : 1]);
  std::memcpy(copy.get(), bytes, n);
  Outcome out;
  try {
    out.result = gf::http::parse_proxy_header(std::string_view(copy.get(), n), mode, peer);
  } catch (const gf::http::RequestError& e) {
    FUZZ_CHECK(e.status() == 400 || e.status() == 403 || e.status() == 500);
    out.threw = true;
    out.status = e.status();
    return out;
  }
  const ProxyHeaderResult& r = out.result;
  if (r.status == Status::kParsed) {
    FUZZ_CHECK(r.consumed > 0 && r.consumed <= n);
    const auto& info = r.info;
    FUZZ_CHECK(info.protocol == "TCP4" || info.protocol == "TCP6" || info.protocol == "LOCAL" ||
               info.protocol == "UNSPEC");
    if (info.client_port) FUZZ_CHECK(*info.client_port >= 0 && *info.client_port <= 65535);
    if (info.proxy_port) FUZZ_CHECK(*info.proxy_port >= 0 && *info.proxy_port <= 65535);
    FUZZ_CHECK(info.client_addr.has_value() == info.client_port.has_value());
  } else {
    FUZZ_CHECK(r.consumed == 0);
  }
  if (mode == gf::http::ProxyProtocol::kOff) FUZZ_CHECK(r.status == Status::kNotProxy);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto mode = static_cast<gf::http::ProxyProtocol>(data[0] & 3);
  gf::http::PeerInfo peer;
  peer.is_unix = data[0] & 4;
  peer.addr = peer.is_unix ? "" : "192.0.2.7";
  peer.proxy_allowed = data[0] & 8;
  const char* bytes = reinterpret_cast<const char*>(data) + 1;
  const size_t n = size - 1;

  const Outcome full = parse(bytes, n, mode, peer);
  // Prefixes: what a worker sees while the header is still arriving. A prefix never parses to
  // more than the whole, and the first prefix that parses decides the outcome for good.
  const size_t step = n > 512 ? n / 256 : 1;
  for (size_t k = 0; k < n; k += step) {
    Outcome part = parse(bytes, k, mode, peer);
    if (!part.threw && part.result.status == Status::kParsed) {
      FUZZ_CHECK(!full.threw && full.result.status == Status::kParsed);
      FUZZ_CHECK(full.result.consumed == part.result.consumed);
      FUZZ_CHECK(full.result.info.protocol == part.result.info.protocol);
      break;
    }
    if (!part.threw && part.result.status == Status::kNotProxy) {
      FUZZ_CHECK(!full.threw && full.result.status == Status::kNotProxy);
      break;
    }
  }
  return 0;
}
