/* ws_load: a WebSocket echo load generator for bench/run (C11, libc only, one thread, epoll).
 *
 *   cc -O2 -std=c11 -Wall -Wextra -o build/ws_load bench/ws_load.c bench/ws_load_proto.c \
 *      bench/ws_load_hist.c
 *   ws_load [-c CONNS] [-d SECONDS] [-s BYTES] [-t] [-T HANDSHAKE_TIMEOUT] ws://HOST:PORT/PATH
 *
 * Opens CONNS connections (non-blocking), does the RFC 6455 client handshake on each (a fixed
 * Sec-WebSocket-Key; the answer must be 101 with the matching Sec-WebSocket-Accept), then keeps
 * exactly one message in flight per connection: a masked binary (or, with -t, text) frame of
 * BYTES payload bytes, waits for the whole echo (the same payload, the same kind, possibly
 * fragmented; pings are answered), counts it and sends the next one. The clock starts once every
 * handshake has succeeded, failed or timed out, and runs for SECONDS; messages still in flight
 * then are not counted. Then each connection waits for its echo in flight, sends a close frame
 * (1000) and waits for the server's close frame or EOF (2 s at most for all of it).
 *
 * Output on stdout, one "key value" per line: messages, duration_s, messages_per_s, errors,
 * connections (handshakes that succeeded), connections_requested, payload_bytes, kind, and the
 * per-message round-trip latency (send to end of echo) latency_p50_ms, latency_p90_ms,
 * latency_p99_ms, latency_max_ms. errors = connections that failed (connect, handshake,
 * handshake timeout) or ended before the end of the run (closed by the server, protocol error,
 * wrong echo). Reasons go to stderr, as "ws_load: error: ..." lines.
 *
 * Exit status: 0 if at least one connection completed its handshake and lasted the whole run
 * and at least one message was echoed; 1 otherwise (the summary is still printed: a run whose
 * connections all ended early reports messages_per_s over the time they lasted); 2 on a usage
 * error.
 *
 * Files: this one (options, connections and their non-blocking I/O, the epoll loop, main),
 * ws_load_proto.c (the WebSocket protocol: handshake, frames, echo check; ws_load_proto.h) and
 * ws_load_hist.c (the clock and the latency histogram; ws_load_hist.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws_load_hist.h"
#include "ws_load_proto.h"

#define MAX_REPORTED_ERRORS 8 /* "ws_load: error:" lines printed per phase; the rest counted */

/* ---- options and shared state (ws_load_proto.h declares those ws_load_proto.c uses) -------- */
static int opt_conns = 64;
static double opt_duration = 10.0;
size_t opt_size = 32;
int opt_text = 0;
static double opt_hs_timeout = 5.0;
static const char *url_host, *url_port, *url_path;
static char request[2048];
static size_t request_len;
unsigned char* pattern; /* opt_size bytes: the payload without its sequence prefix */
unsigned char* scratch; /* one outgoing frame */
static int epfd;
uint64_t messages;
int open_conns; /* connections in OPEN state */
static int errors_reported;
static struct conn* conns; /* opt_conns of them */

/* ---- connections ------------------------------------------------------------------------- */
static void report(const char* fmt, ...) {
  if (errors_reported++ >= MAX_REPORTED_ERRORS) {
    if (errors_reported == MAX_REPORTED_ERRORS + 1)
      fprintf(stderr, "ws_load: error: (further errors not shown)\n");
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  fputs("ws_load: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void conn_close(struct conn* c) {
  if (c->fd >= 0) {
    close(c->fd); /* also removes it from the epoll set */
    c->fd = -1;
  }
  if (c->state == OPEN) open_conns--;
  c->state = DONE;
  free(c->pending);
  c->pending = NULL;
  c->pending_len = c->pending_off = c->pending_cap = 0;
}

/* A connection that fails or ends early: counted in errors, with the reason on stderr. Once the
 * run is over (DRAINING, CLOSING) an error only ends the connection. */
void conn_fail(struct conn* c, const char* fmt, ...) {
  if (c->state == DRAINING || c->state == CLOSING) {
    conn_close(c);
    return;
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report("connection %d: %s", (int)(c - conns), msg);
  c->failed = 1;
  conn_close(c);
}

static void set_events(struct conn* c, uint32_t ev) {
  if (c->events == ev) return;
  struct epoll_event e = {.events = ev, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e);
  c->events = ev;
}

/* Write what is pending; 0 when everything is out, 1 when some is left (EPOLLOUT armed), -1 on
 * an error (the connection is failed). */
static int flush_pending(struct conn* c) {
  while (c->pending_off < c->pending_len) {
    ssize_t n =
        send(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_events(c, EPOLLIN | EPOLLOUT);
        return 1;
      }
      conn_fail(c, "send: %s", strerror(errno));
      return -1;
    }
    c->pending_off += (size_t)n;
  }
  c->pending_len = c->pending_off = 0;
  set_events(c, EPOLLIN);
  return 0;
}

/* Send bytes, or queue what the socket does not take now. Returns -1 if the connection failed. */
int conn_send(struct conn* c, const unsigned char* data, size_t len) {
  size_t off = 0;
  if (c->pending_len == 0) {
    while (off < len) {
      ssize_t n = send(c->fd, data + off, len - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        conn_fail(c, "send: %s", strerror(errno));
        return -1;
      }
      off += (size_t)n;
    }
    if (off == len) return 0;
  }
  size_t rest = len - off;
  if (c->pending_len + rest > c->pending_cap) {
    size_t cap = c->pending_len + rest + 256;
    unsigned char* p = realloc(c->pending, cap);
    if (!p) {
      conn_fail(c, "out of memory");
      return -1;
    }
    c->pending = p;
    c->pending_cap = cap;
  }
  memcpy(c->pending + c->pending_len, data + off, rest);
  c->pending_len += rest;
  set_events(c, EPOLLIN | EPOLLOUT);
  return 0;
}

static void on_readable(struct conn* c) {
  for (;;) {
    if (c->rlen == RBUF_SIZE) { /* cannot happen for frames; the head is checked */
      conn_fail(c, "receive buffer full");
      return;
    }
    ssize_t n = recv(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (c->state == CLOSING) {
        conn_close(c);
        return;
      }
      conn_fail(c, "recv: %s", strerror(errno));
      return;
    }
    if (n == 0) {
      if (c->state == CLOSING) {
        conn_close(c);
        return;
      }
      conn_fail(c, c->state == HANDSHAKE ? "closed by the server during the handshake"
                                         : "closed by the server (EOF, no close frame)");
      return;
    }
    size_t space = RBUF_SIZE - c->rlen;
    c->rlen += (size_t)n;
    if (c->state == HANDSHAKE)
      handshake_response(c);
    else if (parse_frames(c) < 0)
      return;
    if (c->state == DONE) return;
    /* Level-triggered: a short read means the socket is drained for now. */
    if ((size_t)n < space) return;
  }
}

static void on_event(struct conn* c, uint32_t ev) {
  if (c->state == DONE) return;
  if (c->state == CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      conn_fail(c, "connect: %s", strerror(err));
      return;
    }
    c->state = HANDSHAKE;
    if (conn_send(c, (const unsigned char*)request, request_len) < 0) return;
    if (c->pending_len == 0) set_events(c, EPOLLIN);
    return;
  }
  if (ev & EPOLLOUT) {
    if (flush_pending(c) < 0) return;
  }
  if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
}

static void conn_start(struct conn* c, const struct addrinfo* ai) {
  c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (c->fd < 0) {
    conn_fail(c, "socket: %s", strerror(errno));
    return;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = CONNECTING;
  c->events = EPOLLOUT;
  struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e) < 0) {
    conn_fail(c, "epoll_ctl: %s", strerror(errno));
    return;
  }
  if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
    conn_fail(c, "connect: %s", strerror(errno));
    return;
  }
}

/* ---- main -------------------------------------------------------------------------------- */
static void usage(void) {
  fprintf(stderr,
          "usage: ws_load [-c CONNS] [-d SECONDS] [-s BYTES] [-t] [-T HANDSHAKE_TIMEOUT] "
          "ws://HOST:PORT/PATH\n"
          "  -c  connections (64)     -d  measured seconds after the handshakes (10)\n"
          "  -s  payload bytes (32)   -t  text frames instead of binary\n"
          "  -T  handshake timeout, seconds (5)\n");
  exit(2);
}

static int parse_url(char* url) {
  if (strncmp(url, "ws://", 5)) return -1;
  char* host = url + 5;
  char* slash = strchr(host, '/');
  url_path = "/";
  static char path[1024];
  if (slash) {
    snprintf(path, sizeof path, "%s", slash);
    url_path = path;
    *slash = 0;
  }
  url_port = "80";
  if (*host == '[') { /* [IPv6]:port */
    char* rb = strchr(host, ']');
    if (!rb) return -1;
    *rb = 0;
    url_host = host + 1;
    if (rb[1] == ':')
      url_port = rb + 2;
    else if (rb[1])
      return -1;
  } else {
    char* colon = strrchr(host, ':');
    if (colon) {
      *colon = 0;
      url_port = colon + 1;
    }
    url_host = host;
  }
  return *url_host ? 0 : -1;
}

static double parse_pos(const char* s, const char* what) {
  char* end;
  double v = strtod(s, &end);
  if (*end || !(v > 0)) {
    fprintf(stderr, "ws_load: bad %s: %s\n", what, s);
    usage();
  }
  return v;
}

/* Run the loop until `until` (ns) or until `stop()` says so. */
static void loop(int64_t until, int (*stop)(void)) {
  struct epoll_event evs[256];
  for (;;) {
    if (stop && stop()) return;
    int64_t left = until - now_ns();
    if (left <= 0) return;
    int ms = (int)((left + 999999) / 1000000);
    int n = epoll_wait(epfd, evs, 256, ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("ws_load: epoll_wait");
      exit(1);
    }
    for (int i = 0; i < n; i++) on_event(evs[i].data.ptr, evs[i].events);
  }
}

static int handshakes_over(void) {
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].state == CONNECTING || conns[i].state == HANDSHAKE) return 0;
  return 1;
}

static int none_open(void) {
  return open_conns == 0;
}

static int all_done(void) {
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].state != DONE) return 0;
  return 1;
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "c:d:s:tT:h")) != -1) {
    switch (opt) {
      case 'c':
        opt_conns = (int)parse_pos(optarg, "connection count");
        break;
      case 'd':
        opt_duration = parse_pos(optarg, "duration");
        break;
      case 's':
        opt_size = (size_t)parse_pos(optarg, "payload size");
        break;
      case 't':
        opt_text = 1;
        break;
      case 'T':
        opt_hs_timeout = parse_pos(optarg, "handshake timeout");
        break;
      default:
        usage();
    }
  }
  if (optind != argc - 1) usage();
  char* url = strdup(argv[optind]);
  if (!url || parse_url(url) < 0) {
    fprintf(stderr, "ws_load: bad URL %s (want ws://HOST:PORT/PATH)\n", argv[optind]);
    usage();
  }
  signal(SIGPIPE, SIG_IGN);

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)opt_conns + 64) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
  int gai = getaddrinfo(url_host, url_port, &hints, &ai);
  if (gai) {
    fprintf(stderr, "ws_load: %s:%s: %s\n", url_host, url_port, gai_strerror(gai));
    return 1;
  }
  char hostport[600];
  if (strchr(url_host, ':'))
    snprintf(hostport, sizeof hostport, "[%s]:%s", url_host, url_port);
  else
    snprintf(hostport, sizeof hostport, "%s:%s", url_host, url_port);
  request_len = handshake_request(request, sizeof request, url_path, hostport);

  pattern = malloc(opt_size + 1);
  scratch = malloc(opt_size + 14 > 139 ? opt_size + 14 : 139);
  conns = calloc((size_t)opt_conns, sizeof *conns);
  if (!pattern || !scratch || !conns) {
    fprintf(stderr, "ws_load: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < opt_size; i++) pattern[i] = (unsigned char)('a' + i % 26);
  mask_seed((uint64_t)now_ns() ^ ((uint64_t)getpid() << 32));

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    perror("ws_load: epoll_create1");
    return 1;
  }

  /* 1. connect and handshake, all at once */
  for (int i = 0; i < opt_conns; i++) {
    conns[i].fd = -1;
    conn_start(&conns[i], ai);
  }
  freeaddrinfo(ai);
  loop(now_ns() + (int64_t)(opt_hs_timeout * 1e9), handshakes_over);
  int connected = 0;
  for (int i = 0; i < opt_conns; i++) {
    if (conns[i].state == CONNECTING || conns[i].state == HANDSHAKE)
      conn_fail(&conns[i], "no handshake after %.1f s", opt_hs_timeout);
    else if (conns[i].state == OPEN)
      connected++;
  }
  if (!connected) {
    int failed = 0;
    for (int i = 0; i < opt_conns; i++) failed += conns[i].failed;
    printf(
        "messages 0\nduration_s 0.00\nmessages_per_s 0.0\nerrors %d\nconnections 0\n"
        "connections_requested %d\n",
        failed, opt_conns);
    fprintf(stderr, "ws_load: error: no connection completed its handshake\n");
    return 1;
  }

  /* 2. the timed run: one message in flight per connection */
  int64_t t0 = now_ns();
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].state == OPEN) send_message(&conns[i], now_ns());
  loop(t0 + (int64_t)(opt_duration * 1e9), none_open);
  int64_t t1 = now_ns();
  int lasted = open_conns;
  if (!lasted) report("every connection ended before the end of the run");

  /* 3. close: wait for the echo in flight (not counted; closing under it makes servers raise
   * in the app's send), then a close frame each and the server's; 2 s at most in all */
  for (int i = 0; i < opt_conns; i++) {
    struct conn* c = &conns[i];
    if (c->state != OPEN) continue;
    open_conns--;
    c->state = DRAINING;
  }
  loop(now_ns() + 2000000000, all_done);
  for (int i = 0; i < opt_conns; i++)
    if (conns[i].state != DONE) conn_close(&conns[i]);

  int errors = 0;
  for (int i = 0; i < opt_conns; i++) errors += conns[i].failed;
  double secs = (double)(t1 - t0) / 1e9;
  printf("messages %llu\n", (unsigned long long)messages);
  printf("duration_s %.2f\n", secs);
  printf("messages_per_s %.1f\n", secs > 0 ? (double)messages / secs : 0.0);
  printf("errors %d\n", errors);
  printf("connections %d\n", connected);
  printf("connections_requested %d\n", opt_conns);
  printf("payload_bytes %zu\n", opt_size);
  printf("kind %s\n", opt_text ? "text" : "binary");
  printf("latency_p50_ms %.3f\n", hist_percentile_ms(50));
  printf("latency_p90_ms %.3f\n", hist_percentile_ms(90));
  printf("latency_p99_ms %.3f\n", hist_percentile_ms(99));
  printf("latency_max_ms %.3f\n", hist_max_ms());
  if (!messages) {
    fprintf(stderr, "ws_load: error: no message was echoed\n");
    return 1;
  }
  return lasted ? 0 : 1;
}
