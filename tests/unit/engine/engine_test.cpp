// The connection engine driven by hand: bytes in, bytes out, back-pressure, deadlines, the
// connection cap, lingering closes and the graceful stop - with fakes, no sockets.
#include "engine/engine.hpp"

#include <gtest/gtest.h>

#include "engine_fakes.hpp"

namespace gf::engine {
namespace {

using testing::FakeReactor;
using testing::open;
using testing::sends;
using testing::Wire;

constexpr int64_t kSecond = 1'000'000'000;

EngineLimits limits(size_t max_connections = 10) {
  EngineLimits l;
  l.max_connections = max_connections;
  l.graceful_ns = 5 * kSecond;
  l.linger_ns = 2 * kSecond;
  l.write_timeout_ns = 3 * kSecond;
  l.output.high_water = 1000;
  l.output.low_water = 100;
  return l;
}

class EngineTest : public ::testing::Test {
 protected:
  // Lets the fake clock run on by `seconds` and sweeps.
  void sweep_after(int64_t seconds) {
    reactor.now += seconds * kSecond;
    engine.sweep();
  }
  FakeReactor reactor;
  Engine engine{reactor, limits()};
};

TEST_F(EngineTest, ReadsWhatCameWithTheConnectionAtOnceThenWaits) {
  Wire wire = sends("hello");
  auto [c, protocol] = open(engine, wire);
  EXPECT_EQ(protocol->received, "hello");
  // The read came back short: the engine waits for readiness instead of reading again.
  EXPECT_EQ(wire.reads, 1);
  EXPECT_EQ(reactor.watches, std::vector<bool>{false});  // registered once, input only
  wire.input = " world";
  engine.on_readable(*c);
  EXPECT_EQ(protocol->received, "hello world");
  EXPECT_EQ(reactor.watches.size(), 1u);  // never registered again
}

TEST_F(EngineTest, MoreInputThanOneReadIsReadOnANextTurn) {
  Wire wire = sends(std::string(100, 'a'));
  auto [c, protocol] = open(engine, wire, /*space=*/64);
  EXPECT_EQ(protocol->received.size(), 64u);  // a full buffer: maybe more is waiting
  EXPECT_EQ(reactor.deferred_scheduled, 1);
  engine.run_deferred();
  EXPECT_EQ(protocol->received.size(), 100u);
}

TEST_F(EngineTest, WhatTheSocketTakesGoesOutAtOnceTheRestWhenWritable) {
  Wire wire = sends("x", 3);
  auto [c, protocol] = open(engine, wire, 64, [](Connection& conn) {
    conn.output().write_bytes("response");
    conn.want_input();
  });
  EXPECT_EQ(wire.output, "res");
  EXPECT_EQ(c->output().pending(), 5u);
  EXPECT_TRUE(c->watching_writes);  // queued bytes: the engine waits for room
  wire.room = SIZE_MAX;
  engine.on_writable(*c);
  EXPECT_EQ(wire.output, "response");
  EXPECT_FALSE(c->watching_writes);  // nothing queued: no more write interest
}

// defer_writes (the asgi worker): what the protocols write in one turn leaves in the next turn's
// flush, once per connection, before that turn's reads; a drain asked for meanwhile is reported
// by that flush.
TEST(EngineDeferredWrites, WritesOfATurnLeaveTogetherInTheNextTurn) {
  FakeReactor reactor;
  EngineLimits l = limits();
  l.output.defer_writes = true;
  Engine engine(reactor, l);
  Wire first = sends("a");
  Wire second = sends("b");
  auto [c1, p1] = open(engine, first, 64, [](Connection&) {});
  auto [c2, p2] = open(engine, second, 64, [](Connection&) {});
  // What an app's coroutines send, outside any engine callback.
  c1->output().write_bytes("head|");
  c1->output().write_bytes("body");
  c1->notify_when_drained(0);
  c2->output().write_bytes("other");
  EXPECT_EQ(first.output, "");  // nothing written yet, not even by the drain request
  EXPECT_EQ(second.output, "");
  EXPECT_EQ(p1->drained, 0);
  EXPECT_EQ(reactor.deferred_scheduled, 1);  // one turn for both connections
  engine.run_deferred();
  EXPECT_EQ(first.output, "head|body");
  EXPECT_EQ(second.output, "other");
  EXPECT_EQ(first.writes, 1);  // the turn's pieces in one send
  EXPECT_EQ(p1->drained, 1);
  // A connection closed before its turn is skipped.
  c2->output().write_bytes("late");
  c2->close();
  engine.run_deferred();
  EXPECT_EQ(second.output, "other");
}

TEST_F(EngineTest, BackPressureCongestsAboveHighWaterAndReportsTheDrainAtLowWater) {
  Wire wire = sends("x", 0);  // a client that takes nothing yet
  auto [c, protocol] = open(engine, wire, 64, [](Connection&) {});
  Output& out = c->output();
  out.write_bytes(std::string(600, 'a'));
  EXPECT_FALSE(out.congested());
  out.write_bytes(std::string(600, 'b'));
  EXPECT_TRUE(out.congested());  // 1200 queued > 1000: the producer should pause
  c->notify_when_drained(limits().output.low_water);
  EXPECT_EQ(protocol->drained, 0);
  EXPECT_TRUE(c->watching_writes);

  wire.room = 700;  // the client takes some: 500 left, still above the low-water mark
  engine.on_writable(*c);
  EXPECT_EQ(out.pending(), 500u);
  EXPECT_EQ(protocol->drained, 0);
  EXPECT_FALSE(out.congested());

  wire.room = 450;  // 50 left: at most low water
  engine.on_writable(*c);
  EXPECT_EQ(protocol->drained, 1);
  EXPECT_EQ(wire.output, std::string(600, 'a') + std::string(550, 'b'));
}

TEST_F(EngineTest, AClientThatStopsReadingIsResetAtTheWriteTimeout) {
  Wire wire = sends("x", 10);
  auto [c, protocol] = open(engine, wire, 64, [](Connection& conn) {
    conn.output().write_bytes(std::string(100, 'z'));
    conn.notify_when_drained(0);
  });
  sweep_after(2);
  EXPECT_EQ(protocol->closes, 0);
  wire.room = 10;  // progress restarts the clock
  engine.on_writable(*c);
  sweep_after(2);
  EXPECT_EQ(protocol->closes, 0);
  sweep_after(2);  // 4 s without progress > 3 s
  EXPECT_EQ(protocol->closes, 1);
  EXPECT_TRUE(wire.reset);
  EXPECT_TRUE(wire.closed);
}

TEST_F(EngineTest, DeadlinesExpireInTheSweepButNotWhileLent) {
  Wire wire = sends("x");
  auto [c, protocol] = open(engine, wire, 64, [](Connection& conn) {
    conn.set_deadline(5 * kSecond);
    conn.want_input();
  });
  sweep_after(4);
  EXPECT_EQ(protocol->deadlines, 0);
  c->lend();  // an application thread has it
  sweep_after(4);
  EXPECT_EQ(protocol->deadlines, 0);
  c->restore();
  engine.sweep();
  EXPECT_EQ(protocol->deadlines, 1);
  EXPECT_EQ(protocol->closes, 1);
}

TEST_F(EngineTest, EventsWhileLentAreKeptForLater) {
  Wire wire = sends("a");
  bool lend_next = true;
  auto [c, protocol] = open(engine, wire, 64, [&](Connection& conn) {
    if (lend_next) {
      conn.lend();
      lend_next = false;
    } else {
      conn.want_input();
    }
  });
  wire.input = "b";
  engine.on_readable(*c);  // lent: nothing is read now, but the news is kept
  EXPECT_EQ(protocol->received, "a");
  c->restore();
  c->want_input();  // not known to be drained: read on the next turn
  engine.run_deferred();
  EXPECT_EQ(protocol->received, "ab");
}

TEST(Engine, TheConnectionCapPausesAndResumesAccepting) {
  FakeReactor reactor;
  Engine engine(reactor, limits(/*max_connections=*/2));
  Wire one = sends("1"), two = sends("2");
  auto first = open(engine, one);
  EXPECT_TRUE(engine.accepting());
  open(engine, two);
  EXPECT_FALSE(engine.accepting());
  EXPECT_FALSE(reactor.accepting);
  first.connection->close();
  EXPECT_TRUE(engine.accepting());
  EXPECT_TRUE(reactor.accepting);
  EXPECT_EQ(engine.connection_count(), 1u);
}

TEST_F(EngineTest, LingerHalfClosesAndDiscardsUntilTheClientCloses) {
  Wire wire = sends("request");
  auto [c, protocol] = open(engine, wire, 64, [](Connection& conn) { conn.linger(); });
  EXPECT_TRUE(wire.shut_down);
  EXPECT_FALSE(wire.closed);
  wire.input = "more the client sent meanwhile";
  engine.on_readable(*c);
  EXPECT_EQ(protocol->received, "request");  // discarded, never given to the protocol
  EXPECT_FALSE(wire.closed);
  wire.input_ended = true;
  engine.on_readable(*c);
  EXPECT_TRUE(wire.closed);
  EXPECT_FALSE(wire.reset);
}

TEST_F(EngineTest, ALingerThatOutlastsItsTimeIsClosed) {
  Wire wire = sends("x");
  open(engine, wire, 64, [](Connection& conn) { conn.linger(); });
  sweep_after(3);
  EXPECT_TRUE(wire.closed);
}

TEST_F(EngineTest, TheEndOfInputReachesTheProtocol) {
  Wire wire = sends("bye", SIZE_MAX, true);
  auto [c, protocol] = open(engine, wire);
  EXPECT_EQ(protocol->received, "bye");
  engine.on_readable(*c);
  EXPECT_TRUE(protocol->ended);
  EXPECT_TRUE(wire.closed);
}

TEST_F(EngineTest, GracefulStopWaitsForConnectionsThenStops) {
  Wire one = sends("1"), two = sends("2");
  auto first = open(engine, one);
  auto second = open(engine, two);
  engine.begin_stop();
  EXPECT_FALSE(engine.accepting());
  EXPECT_FALSE(reactor.accepting);
  EXPECT_EQ(first.protocol->stops, 1);
  EXPECT_EQ(second.protocol->stops, 1);
  EXPECT_FALSE(reactor.stopped);
  first.connection->close();
  EXPECT_FALSE(reactor.stopped);
  second.connection->close();
  EXPECT_TRUE(reactor.stopped);     // the last one gone
  EXPECT_FALSE(reactor.accepting);  // never resumed while stopping
}

TEST_F(EngineTest, GracefulStopEndsAtTheGracefulTimeout) {
  Wire wire = sends("1");
  open(engine, wire);
  engine.begin_stop();
  sweep_after(4);
  EXPECT_FALSE(reactor.stopped);
  sweep_after(2);
  EXPECT_TRUE(reactor.stopped);
  engine.close_all(/*including_lent=*/true);  // the worker ends: what is left is closed
  EXPECT_TRUE(wire.closed);
  EXPECT_EQ(engine.connection_count(), 0u);
}

TEST_F(EngineTest, AStopWithNoConnectionsEndsAtOnce) {
  engine.begin_stop();
  EXPECT_TRUE(reactor.stopped);
}

TEST_F(EngineTest, AClosedConnectionIsForgottenAndItsProtocolToldOnce) {
  Wire wire = sends("x");
  auto [c, protocol] = open(engine, wire);
  c->close();
  c->close();
  EXPECT_EQ(protocol->closes, 1);
  EXPECT_EQ(reactor.forgotten, 1);
  EXPECT_TRUE(c->closed());  // still safe to look at until the next turn
  EXPECT_EQ(engine.connection_count(), 0u);
}

}  // namespace
}  // namespace gf::engine
