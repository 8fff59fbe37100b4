// Test doubles and drivers for the http/ tests: a ByteSource that delivers a script of bytes in
// a chosen split (whole, byte by byte, seeded random), a recording ByteSink, and run_requests()
// which reads every request (head, body, trailers) off a connection the way a worker would.
#pragma once

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/request_reader.hpp"
#include "util/stream.hpp"

namespace gf::http::testing {

enum class Split { kWhole, kByteByByte, kRandom };

inline std::string split_name(Split s, unsigned seed) {
  switch (s) {
    case Split::kWhole:
      return "whole";
    case Split::kByteByByte:
      return "byte-by-byte";
    case Split::kRandom:
      return "random(seed=" + std::to_string(seed) + ")";
  }
  return "?";
}

// Hands out `data` in pieces; then end of stream.
class ScriptedSource : public util::ByteSource {
 public:
  ScriptedSource(std::string data, Split split, unsigned seed = 1)
      : data_(std::move(data)), split_(split), rng_(seed) {}

  size_t read_some(std::span<char> out) override {
    if (pos_ >= data_.size() || out.empty()) return 0;
    size_t want = data_.size() - pos_;
    if (split_ == Split::kByteByByte) want = 1;
    if (split_ == Split::kRandom) want = std::uniform_int_distribution<size_t>(1, 17)(rng_);
    size_t n = std::min({want, out.size(), data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    ++reads_;
    return n;
  }
  size_t reads() const { return reads_; }

 private:
  std::string data_;
  Split split_;
  std::mt19937 rng_;
  size_t pos_ = 0;
  size_t reads_ = 0;
};

class RecordingSink : public util::ByteSink {
 public:
  using util::ByteSink::write_all;
  void write_all(std::span<const iovec> buffers, const util::SharedBytes*) override {
    ++write_calls;
    for (const iovec& b : buffers) bytes.append(static_cast<const char*>(b.iov_base), b.iov_len);
  }
  void send_file(int fd, off_t offset, size_t count) override {
    bytes += "<file " + std::to_string(fd) + " " + std::to_string(offset) + " " +
             std::to_string(count) + ">";
  }
  std::string bytes;
  int write_calls = 0;
};

struct ReadRequest {
  RequestHead head;
  std::string body;
  std::vector<HeaderField> trailers;
};

// Everything a connection yielded until it ended: the requests, then how it ended.
struct ConnectionOutcome {
  std::vector<ReadRequest> requests;
  int status = 0;    // RequestError status, 0 if none
  std::string kind;  // RequestError/BodyError kind, "IoError" for a plain IoError, "" if clean
  std::string message;
};

// Runs `read` (which fills outcome.requests) and records how the connection ended.
template <class Read>
void record_connection(ConnectionOutcome& outcome, Read&& read) {
  try {
    read();
  } catch (const RequestError& e) {
    outcome.status = e.status();
    outcome.kind = e.kind();
    outcome.message = e.what();
  } catch (const BodyError& e) {
    outcome.kind = e.kind();
    outcome.message = e.what();
  } catch (const util::IoError& e) {
    outcome.kind = "IoError";
    outcome.message = e.what();
  }
}

inline ConnectionOutcome run_requests(const std::string& data, const ParserOptions& options,
                                      const PeerInfo& peer, Split split, unsigned seed = 1,
                                      size_t body_read_size = 7) {
  ConnectionOutcome outcome;
  ScriptedSource source(data, split, seed);
  RequestReader reader(options, source, peer);
  record_connection(outcome, [&] {
    while (auto head = reader.read_head()) {
      ReadRequest request{std::move(*head), {}, {}};
      std::vector<char> buf(body_read_size);
      while (size_t n = reader.read_body(buf)) request.body.append(buf.data(), n);
      EXPECT_TRUE(reader.body_complete());
      request.trailers = reader.trailers();
      outcome.requests.push_back(std::move(request));
    }
  });
  return outcome;
}

// The splits every case is run under: whole, byte by byte, and three fixed random seeds.
struct SplitCase {
  Split split;
  unsigned seed;
};
inline const std::vector<SplitCase>& all_splits() {
  static const std::vector<SplitCase> splits = {{Split::kWhole, 0},
                                                {Split::kByteByByte, 0},
                                                {Split::kRandom, 1},
                                                {Split::kRandom, 7},
                                                {Split::kRandom, 42}};
  return splits;
}

}  // namespace gf::http::testing
