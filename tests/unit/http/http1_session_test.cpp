// Http1Session on the engine with fakes: requests in, responses out, keep-alive, pipelining,
// rejects, "100 Continue", paused responses and the header timeout - no sockets.
#include "http/http1_session.hpp"

#include <gtest/gtest.h>

#include "../engine/engine_fakes.hpp"
#include "http/http1_response.hpp"

namespace gf::http {
namespace {

using engine::testing::FakeReactor;
using engine::testing::FakeTransport;
using engine::testing::sends;
using engine::testing::Wire;

constexpr int64_t kSecond = 1'000'000'000;

// Answers every request inline with its path as the body; can pause instead.
class EchoSession final : public Http1Session {
 public:
  EchoSession(engine::Connection& c, const Settings& settings)
      : Http1Session(c, settings, PeerInfo{false, "127.0.0.1", 1}) {}

  std::vector<std::string> served;
  bool pause_next = false;
  int resumed = 0;
  int abandoned = 0;

 private:
  void run_request() override {
    served.push_back(head().path);
    response_.emplace(connection().output(), head(), /*force_close=*/false);
    response_->start("200 OK", {{"Content-Length", std::to_string(head().path.size())}});
    if (pause_next) {
      // As a congested response: more queued than the client has taken.
      pause_next = false;
      connection().output().write_bytes(std::string(2000, 'f'));
      response_paused();
      return;
    }
    respond();
  }
  void resume_response() override {
    ++resumed;
    respond();
  }
  void abandon_response() override { ++abandoned; }
  void respond() {
    response_->write(head().path);
    response_->finish();
    const bool keep = !response_->should_close();
    response_.reset();
    request_done({.keep_alive = keep});
  }
  std::optional<Http1Response> response_;
};

struct Fixture {
  Fixture() {
    settings.parser = &options;
    settings.keepalive_ns = 2 * kSecond;
    settings.header_ns = 3 * kSecond;
    settings.body_ns = 3 * kSecond;
  }
  static engine::EngineLimits small_output() {
    engine::EngineLimits limits;
    limits.output.high_water = 1000;
    limits.output.low_water = 100;
    return limits;
  }
  // A connection over `wire`; with `pause_first` its first response pauses as if congested.
  EchoSession& open(Wire& wire, bool pause_first = false) {
    EchoSession* session = nullptr;
    engine.open(std::make_unique<FakeTransport>(wire), [&](engine::Connection& c) {
      auto s = std::make_unique<EchoSession>(c, settings);
      s->pause_next = pause_first;
      session = s.get();
      return s;
    });
    return *session;
  }
  ParserOptions options;
  Http1Session::Settings settings;
  engine::EngineLimits limits = small_output();
  FakeReactor reactor;
  engine::Engine engine{reactor, limits};
};

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

size_t count(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST(Http1Session, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  Fixture f;
  Wire wire = sends(get("/a") + get("/bb") + get("/ccc"));
  EchoSession& session = f.open(wire);
  EXPECT_EQ(session.served, (std::vector<std::string>{"/a", "/bb", "/ccc"}));
  EXPECT_EQ(count(wire.output, "HTTP/1.1 200 OK"), 3u);
  EXPECT_LT(wire.output.find("/a"), wire.output.find("/bb"));
  EXPECT_LT(wire.output.find("/bb"), wire.output.find("/ccc"));
  EXPECT_FALSE(wire.closed);  // keep-alive
}

TEST(Http1Session, ConnectionCloseEndsTheConnectionAfterTheResponse) {
  Fixture f;
  Wire wire = sends(get("/x", "Connection: close\r\n"));
  f.open(wire);
  EXPECT_NE(wire.output.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(wire.closed);
}

TEST(Http1Session, AMalformedRequestGetsItsErrorPageThenALingeringClose) {
  Fixture f;
  Wire wire = sends("GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n");
  EchoSession& session = f.open(wire);
  EXPECT_TRUE(session.served.empty());
  EXPECT_TRUE(wire.output.starts_with("HTTP/1.1 400 Bad Request\r\n")) << wire.output;
  EXPECT_TRUE(wire.shut_down);  // half-closed first: the page is not destroyed by a reset
  EXPECT_FALSE(wire.closed);
}

TEST(Http1Session, ExpectContinueGetsItsInterimResponseBeforeTheBody) {
  Fixture f;
  Wire wire =
      sends("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EchoSession& session = f.open(wire);
  EXPECT_EQ(wire.output, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(session.served.empty());  // the app waits for the body
  wire.input = "hello";
  f.engine.on_readable(session.connection());
  EXPECT_EQ(session.served, std::vector<std::string>{"/up"});
}

TEST(Http1Session, APausedResponseResumesOnceTheClientCaughtUp) {
  Fixture f;
  Wire wire = sends(get("/first"), 0);  // the client takes nothing for now
  EchoSession* session = &f.open(wire, /*pause_first=*/true);
  EXPECT_EQ(session->resumed, 0);
  wire.room = SIZE_MAX;
  f.engine.on_writable(session->connection());
  EXPECT_EQ(session->resumed, 1);
  EXPECT_NE(wire.output.find("/first"), std::string::npos);
}

TEST(Http1Session, APausedResponseWhoseClientVanishesIsAbandoned) {
  Fixture f;
  Wire wire = sends(get("/first"), 0);
  EchoSession* session = &f.open(wire, /*pause_first=*/true);
  f.reactor.now += 60 * kSecond;
  f.engine.sweep();  // no write timeout set: the connection stays
  EXPECT_EQ(session->abandoned, 0);
  session->connection().close();
  EXPECT_EQ(session->abandoned, 1);
}

TEST(Http1Session, AnIncompleteHeadIsClosedAtTheHeaderTimeout) {
  Fixture f;
  Wire wire = sends("GET /slow HTTP/1.1\r\nHo");
  f.open(wire);
  f.reactor.now += 4 * kSecond;
  f.engine.sweep();
  EXPECT_TRUE(wire.closed);
  EXPECT_TRUE(wire.output.empty());
}

TEST(Http1Session, AnIdleKeepAliveConnectionLingersAtItsTimeout) {
  Fixture f;
  Wire wire = sends(get("/a"));
  f.open(wire);
  f.reactor.now += 3 * kSecond;
  f.engine.sweep();
  EXPECT_TRUE(wire.shut_down);  // a request may be on its way: never a reset
}

}  // namespace
}  // namespace gf::http
