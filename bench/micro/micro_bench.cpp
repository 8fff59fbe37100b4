// Per-operation costs of the hot path's pieces (Google Benchmark): parsing a small request,
// building a response head, formatting an access-log line. Speed belongs here, not in timed
// unit tests: `make microbench` builds and runs it.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "http/http1_serializer.hpp"
#include "http/parser_options.hpp"
#include "http/request_parser.hpp"
#include "http/response_policy.hpp"
#include "log/access_log.hpp"

namespace {

using namespace gf;

void ParseSmallGet(benchmark::State& state) {
  http::ParserOptions options;
  http::PeerInfo peer;
  http::RequestParser parser(options, peer);
  const std::string data =
      "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench/1.0\r\n"
      "Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n";
  for (auto _ : state) {
    http::ParseStep step = parser.feed(data);
    benchmark::DoNotOptimize(step);
    parser.next_message();
  }
}
BENCHMARK(ParseSmallGet);

void ResponsePolicyAndHead(benchmark::State& state) {
  for (auto _ : state) {
    http::ResponsePolicy policy({.head_request = false, .http11 = true, .keep_alive = true});
    policy.start("200 OK", {{"Content-Type", "text/plain"}, {"Content-Length", "13"}});
    std::string head =
        http::http1::response_head(policy.head(), 1, 1, "Sun, 06 Nov 1994 08:49:37 GMT");
    benchmark::DoNotOptimize(head);
  }
}
BENCHMARK(ResponsePolicyAndHead);

void AccessLogDefaultFormat(benchmark::State& state) {
  log::AccessRecord record;
  record.remote_addr = "127.0.0.1";
  record.method = "GET";
  record.raw_uri = "/a%20b/c?x=1";
  record.protocol = "HTTP/1.1";
  record.query = "x=1";
  record.path_info = "/a b/c";
  record.status = "200 OK";
  record.body_bytes = 393;
  record.start = std::chrono::system_clock::now();
  record.pid = 4242;
  record.request_header = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "USER-AGENT") return "Mozilla/5.0 (X11; Linux x86_64)";
    return std::nullopt;
  };
  record.response_header = [](std::string_view) -> std::optional<std::string_view> {
    return std::nullopt;
  };
  log::AccessLogFormatter formatter(
      R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")");
  std::string out;
  for (auto _ : state) {
    out.clear();
    formatter.render_to(record, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(AccessLogDefaultFormat);

}  // namespace

BENCHMARK_MAIN();
