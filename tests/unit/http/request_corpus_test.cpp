// Runs the request corpus in tests/requests/ (format: tests/requests/README.md) against the
// parser: every case through the RequestParser push interface fed whole, byte by byte and in
// seeded random splits, and through RequestReader over a scripted socket. The expected outcome
// of each case is Gunicorn's (reference section 6) unless the case says otherwise.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/command_line.hpp"
#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request_parser.hpp"
#include "http_test_support.hpp"
#include "util/stream.hpp"

#ifndef GF_REQUEST_CORPUS_DIR
#error "GF_REQUEST_CORPUS_DIR must name tests/requests"
#endif

namespace gf::http {
namespace {

namespace fs = std::filesystem;
using testing::ConnectionOutcome;
using testing::ReadRequest;

constexpr size_t kMinimumCases = 200;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The escape rules of tests/requests/README.md; literal line breaks are removed by the caller.
std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= text.size()) throw std::runtime_error("backslash at end of text");
    char e = text[++i];
    switch (e) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
        int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) throw std::runtime_error("bad \\x escape");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      case '{': {
        size_t close = text.find('}', i);
        size_t colon = text.find(':', i);
        if (close == text.npos || colon == text.npos || colon > close)
          throw std::runtime_error("bad \\{N:TEXT} escape");
        size_t count = std::stoul(std::string(text.substr(i + 1, colon - i - 1)));
        std::string unit = unescape(text.substr(colon + 1, close - colon - 1));
        for (size_t k = 0; k < count; ++k) out += unit;
        i = close;
        break;
      }
      default:
        throw std::runtime_error(std::string("unknown escape \\") + e);
    }
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string decode_http_file(const std::string& raw) {
  std::string text;
  for (char c : raw)
    if (c != '\n' && c != '\r') text += c;
  return unescape(text);
}

struct ExpectedRequest {
  std::map<std::string, std::string> fields;  // method, target, path, ... (unescaped)
  std::vector<HeaderField> headers;
  std::vector<HeaderField> trailers;
};

struct CorpusCase {
  std::string name;  // category/case
  std::string data;
  std::vector<std::string> options;
  bool peer_trusted = true;
  bool proxy_allowed = true;
  std::string status = "200";
  std::string error;
  std::vector<ExpectedRequest> requests;
};

HeaderField parse_field(const std::string& text, const std::string& where) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) throw std::runtime_error(where + ": header without ':'");
  std::string value = text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.erase(0, 1);
  return {text.substr(0, colon), unescape(value)};
}

CorpusCase load_case(const fs::path& http, const std::string& name) {
  CorpusCase c;
  c.name = name;
  c.data = decode_http_file(read_file(http));
  fs::path expect_path = http;
  expect_path.replace_extension(".expect");
  std::istringstream expect(read_file(expect_path));
  std::string line;
  while (std::getline(expect, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error(name + ": bad line " + line);
    std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (key == "option") {
      std::istringstream words(value);
      for (std::string w; words >> w;) c.options.push_back(w);
    } else if (key == "peer-trusted") {
      c.peer_trusted = value != "no";
    } else if (key == "proxy-allowed") {
      c.proxy_allowed = value != "no";
    } else if (key == "status") {
      c.status = value;
    } else if (key == "error") {
      c.error = value;
    } else if (key == "method") {
      c.requests.emplace_back();
      c.requests.back().fields[key] = value;
    } else {
      if (c.requests.empty()) throw std::runtime_error(name + ": '" + key + "' before method");
      ExpectedRequest& r = c.requests.back();
      if (key == "header") {
        r.headers.push_back(parse_field(value, name));
      } else if (key.starts_with("header*")) {
        size_t count = std::stoul(key.substr(7));
        HeaderField f = parse_field(value, name);
        for (size_t k = 0; k < count; ++k) r.headers.push_back(f);
      } else if (key == "trailer") {
        r.trailers.push_back(parse_field(value, name));
      } else {
        r.fields[key] = unescape(value);
      }
    }
  }
  return c;
}

std::vector<CorpusCase> load_corpus() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(GF_REQUEST_CORPUS_DIR))
    if (entry.is_regular_file() && entry.path().extension() == ".http")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<CorpusCase> cases;
  for (const auto& f : files) {
    fs::path rel = fs::relative(f, GF_REQUEST_CORPUS_DIR);
    rel.replace_extension();
    cases.push_back(load_case(f, rel.generic_string()));
  }
  return cases;
}

const std::vector<CorpusCase>& corpus() {
  static const std::vector<CorpusCase> cases = load_corpus();
  return cases;
}

ParserOptions options_for(const CorpusCase& c) {
  std::vector<const char*> argv = {"greenfork"};
  for (const auto& o : c.options) argv.push_back(o.c_str());
  argv.push_back("echo_app:application");
  config::CommandLine cli = config::parse_command_line(static_cast<int>(argv.size()), argv.data());
  return ParserOptions::from_config(cli.config);
}

PeerInfo peer_for(const CorpusCase& c) {
  PeerInfo peer;
  peer.addr = "127.0.0.1";
  peer.port = 50000;
  peer.trusted_forwarder = c.peer_trusted;
  peer.proxy_allowed = c.proxy_allowed;
  return peer;
}

// Feeds the push parser the way a worker does: append what arrives, feed the unconsumed bytes,
// drop what the parser consumed. `next_size` decides how many bytes arrive per read.
template <typename NextSize>
ConnectionOutcome run_push_parser(const std::string& data, const ParserOptions& options,
                                  const PeerInfo& peer, NextSize next_size, size_t max_body) {
  ConnectionOutcome outcome;
  RequestParser parser(options, peer);
  std::string buf;
  size_t pos = 0;
  auto receive = [&] {
    if (pos >= data.size()) return false;
    size_t n = std::min(next_size(), data.size() - pos);
    buf.append(data, pos, n);
    pos += n;
    return true;
  };
  record_connection(outcome, [&] {
    while (true) {
      ParseStep step = parser.feed(buf);
      while (step.event == ParseEvent::kNeedMore) {
        buf.erase(0, step.consumed);
        if (!receive()) {
          parser.on_eof(buf.size());
          return;  // clean end between requests
        }
        step = parser.feed(buf);
      }
      if (step.event != ParseEvent::kHead) throw std::logic_error("expected a head");
      buf.erase(0, step.consumed);
      ReadRequest request{parser.head(), {}, {}};
      while (true) {
        step = parser.feed(buf, max_body);
        if (step.event == ParseEvent::kBody) request.body.append(step.body);  // a view into buf
        buf.erase(0, step.consumed);
        if (step.event == ParseEvent::kBody) {
          continue;
        } else if (step.event == ParseEvent::kMessageComplete) {
          break;
        } else if (!receive()) {
          parser.on_eof(buf.size());
          throw util::IoError("EOF mid-body not rejected by on_eof");
        }
      }
      request.trailers = parser.trailers();
      bool keep_alive = request.head.framing.keep_alive;
      outcome.requests.push_back(std::move(request));
      if (!keep_alive) return;
      parser.next_message();
    }
  });
  return outcome;
}

std::string show(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string show(const std::vector<HeaderField>& fields) {
  std::string out;
  for (const auto& f : fields) out += "  " + f.upper_name() + ": " + show(f.value) + "\n";
  return out;
}

std::string optional_text(const std::optional<std::string>& s) {
  return s ? *s : "None";
}
std::string optional_text(const std::optional<int>& n) {
  return n ? std::to_string(*n) : "None";
}

// The value a field name of the .expect file refers to in a parsed request.
std::optional<std::string> actual_field(const ReadRequest& r, const std::string& key) {
  const RequestHead& h = r.head;
  if (key == "method") return h.method;
  if (key == "target") return h.target;
  if (key == "path") return h.path;
  if (key == "query") return h.query;
  if (key == "fragment") return h.fragment;
  if (key == "version") return h.protocol();
  if (key == "body") return r.body;
  if (key == "scheme") return h.url_scheme;
  if (key == "keep-alive") return h.framing.keep_alive ? "yes" : "no";
  if (key == "expect-continue") return h.framing.expect_continue ? "yes" : "no";
  if (key == "proxy-protocol") return h.proxy ? h.proxy->protocol : "None";
  if (key == "remote-addr") return h.proxy ? optional_text(h.proxy->client_addr) : "127.0.0.1";
  if (key == "remote-port") return h.proxy ? optional_text(h.proxy->client_port) : "50000";
  if (key == "proxy-addr") return h.proxy ? optional_text(h.proxy->proxy_addr) : "None";
  if (key == "proxy-port") return h.proxy ? optional_text(h.proxy->proxy_port) : "None";
  return std::nullopt;  // e2e-only keys (path-info, script-name, e2e)
}

void check_outcome(const CorpusCase& c, const ConnectionOutcome& got, const std::string& how) {
  SCOPED_TRACE(c.name + " [" + how + "]");
  size_t expected_requests = c.requests.size();
  ASSERT_EQ(got.requests.size(), expected_requests)
      << "error: " << got.kind << " " << got.status << " " << got.message;
  for (size_t i = 0; i < expected_requests; ++i) {
    SCOPED_TRACE("request " + std::to_string(i + 1));
    const ExpectedRequest& want = c.requests[i];
    const ReadRequest& have = got.requests[i];
    for (const auto& [key, value] : want.fields) {
      std::optional<std::string> actual = actual_field(have, key);
      if (actual) {
        EXPECT_EQ(show(*actual), show(value)) << key;
      }
    }
    if (!want.fields.count("body")) {
      EXPECT_EQ(have.body, "");
    }
    EXPECT_EQ(show(have.head.headers), show(want.headers));
    EXPECT_EQ(show(have.trailers), show(want.trailers));
  }
  if (c.error.empty()) {
    EXPECT_EQ(got.kind, "") << got.message;
  } else {
    EXPECT_EQ(got.kind, c.error) << got.message;
    int status = c.status == "none" ? 0 : std::stoi(c.status);
    EXPECT_EQ(got.status, status) << got.message;
  }
}

class RequestCorpus : public ::testing::TestWithParam<size_t> {};

TEST(RequestCorpusSize, HasAtLeastTheMinimumNumberOfCases) {
  EXPECT_GE(corpus().size(), kMinimumCases) << "corpus dir: " << GF_REQUEST_CORPUS_DIR;
}

// One test per case: the push parser fed whole, byte by byte (body handed out one byte at a
// time) and in seeded random splits, then RequestReader over a scripted socket in every split.
TEST_P(RequestCorpus, MatchesExpectation) {
  ASSERT_LT(GetParam(), corpus().size()) << "no cases in " << GF_REQUEST_CORPUS_DIR;
  const CorpusCase& c = corpus()[GetParam()];
  ParserOptions options = options_for(c);
  PeerInfo peer = peer_for(c);
  size_t whole = c.data.size() + 1;
  check_outcome(c,
                run_push_parser(
                    c.data, options, peer, [&] { return whole; }, SIZE_MAX),
                "push whole");
  check_outcome(c,
                run_push_parser(
                    c.data, options, peer, [] { return size_t{1}; }, 1),
                "push byte-by-byte");
  for (unsigned seed : {1u, 7u, 42u, 2026u}) {
    std::mt19937 rng(seed);
    size_t top = seed % 2 ? 17 : 4096;
    auto next = [&] { return std::uniform_int_distribution<size_t>(1, top)(rng); };
    check_outcome(c, run_push_parser(c.data, options, peer, next, 1 + seed % 5),
                  "push random seed " + std::to_string(seed));
  }
  for (const auto& split : testing::all_splits())
    check_outcome(c, testing::run_requests(c.data, options, peer, split.split, split.seed),
                  "reader " + testing::split_name(split.split, split.seed));
}

std::string case_test_name(const ::testing::TestParamInfo<size_t>& info) {
  if (info.param >= corpus().size()) return "empty_corpus";
  std::string name = corpus()[info.param].name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, RequestCorpus,
                         ::testing::Range(size_t{0}, std::max<size_t>(corpus().size(), 1)),
                         case_test_name);

}  // namespace
}  // namespace gf::http
