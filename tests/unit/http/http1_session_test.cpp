// Http1Session on the engine with fakes: requests in, responses out, keep-alive, pipelining,
// rejects, "100 Continue", paused responses, the header timeout, and the waits of an
// application side that must not block the loop (ASGI: body on demand, disconnect watch) - no
// sockets.
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
  bool defer = false;  // leave requests in the application until respond() is called
  int resumed = 0;
  int abandoned = 0;
  int body_arrivals = 0;
  int input_ends = 0;

  void respond() {
    response_->write(head().path);
    response_->finish();
    const bool keep = !response_->should_close();
    response_.reset();
    request_done({.keep_alive = keep});
  }
  // The whole body held so far (read without waiting).
  std::string take_body() {
    std::string body(reader().prefetched_bytes(), '\0');
    body.resize(reader().read_body(body));
    return body;
  }

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
    if (!defer) respond();
  }
  void resume_response() override {
    ++resumed;
    respond();
  }
  void abandon_response() override { ++abandoned; }
  void body_arrived() override { ++body_arrivals; }
  void client_input_ended() override { ++input_ends; }
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
  // A connection over `wire`; with `pause_first` its first response pauses as if congested,
  // with `defer` requests stay in the application until respond().
  EchoSession& open(Wire& wire, bool pause_first = false, bool defer = false) {
    EchoSession* session = nullptr;
    engine.open(std::make_unique<FakeTransport>(wire), [&](engine::Connection& c) {
      auto s = std::make_unique<EchoSession>(c, settings);
      s->pause_next = pause_first;
      s->defer = defer;
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

TEST(Http1Session, ABodyBeyondThePrefetchIsReadOnDemandWithoutBlocking) {
  Fixture f;
  f.settings.prefetch_bytes = 4;
  Wire wire = sends("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcd");
  EchoSession& session = f.open(wire, /*pause_first=*/false, /*defer=*/true);
  ASSERT_EQ(session.served, std::vector<std::string>{"/up"});
  EXPECT_TRUE(session.wait_body(64));  // the prefetched part is there at once
  EXPECT_EQ(session.take_body(), "abcd");
  EXPECT_FALSE(session.wait_body(64));  // the rest is still on its way
  wire.input = "efg";
  f.engine.on_readable(session.connection());
  EXPECT_EQ(session.body_arrivals, 1);
  EXPECT_EQ(session.take_body(), "efg");
  EXPECT_FALSE(session.reader().body_complete());
  EXPECT_FALSE(session.wait_body(64));
  wire.input = "hij";
  f.engine.on_readable(session.connection());
  EXPECT_EQ(session.body_arrivals, 2);
  EXPECT_EQ(session.take_body(), "hij");
  EXPECT_TRUE(session.reader().body_complete());
  session.respond();
  EXPECT_NE(wire.output.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_FALSE(wire.closed);
}

TEST(Http1Session, ABodyThatStallsIsClosedAtTheBodyTimeoutAndAbandoned) {
  Fixture f;
  f.settings.prefetch_bytes = 2;
  Wire wire = sends("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
  EchoSession& session = f.open(wire, /*pause_first=*/false, /*defer=*/true);
  session.take_body();
  EXPECT_FALSE(session.wait_body(64));
  f.reactor.now += 4 * kSecond;
  f.engine.sweep();
  EXPECT_TRUE(wire.closed);
  EXPECT_EQ(session.abandoned, 1);
}

TEST(Http1Session, AClientEndingItsInputWhileTheAppWaitsIsToldAndStillAnswered) {
  Fixture f;
  Wire wire = sends(get("/wait"));
  EchoSession& session = f.open(wire, /*pause_first=*/false, /*defer=*/true);
  session.watch_input_end();
  EXPECT_EQ(session.input_ends, 0);
  wire.input_ended = true;  // gone, or half-closed and still reading: the app decides
  f.engine.on_readable(session.connection());
  EXPECT_EQ(session.input_ends, 1);
  EXPECT_EQ(session.abandoned, 0);
  EXPECT_FALSE(wire.closed);
  session.respond();
  EXPECT_NE(wire.output.find("/wait"), std::string::npos);
  EXPECT_TRUE(wire.closed);  // nothing more can come: no keep-alive
}

TEST(Http1Session, AClientResettingWhileTheAppWaitsAbandonsTheResponse) {
  Fixture f;
  Wire wire = sends(get("/wait"));
  EchoSession& session = f.open(wire, /*pause_first=*/false, /*defer=*/true);
  session.watch_input_end();
  session.connection().abort();  // as the engine does for a broken socket
  EXPECT_EQ(session.abandoned, 1);
}

TEST(Http1Session, ANextRequestArrivingWhileTheAppWaitsIsServedAfterTheResponse) {
  Fixture f;
  Wire wire = sends(get("/first"));
  EchoSession& session = f.open(wire, /*pause_first=*/false, /*defer=*/true);
  session.watch_input_end();
  wire.input = get("/second");
  f.engine.on_readable(session.connection());
  EXPECT_EQ(session.served, std::vector<std::string>{"/first"});  // kept, not parsed yet
  session.defer = false;
  session.respond();
  EXPECT_EQ(session.served, (std::vector<std::string>{"/first", "/second"}));
  EXPECT_LT(wire.output.find("/first"), wire.output.find("/second"));
}

}  // namespace
}  // namespace gf::http
