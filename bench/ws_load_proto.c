/* ws_load_proto.c: the WebSocket protocol of ws_load (see ws_load.c for the tool) on one
 * connection: the RFC 6455 client handshake (request, and the check of the 101 answer and its
 * Sec-WebSocket-Accept), masked client frames, the numbered messages, and the parser of the
 * server's frames that checks each echo and answers pings. Sending and failing a connection are
 * ws_load.c's (conn_send, conn_fail, conn_close). */
#define _GNU_SOURCE
#include "ws_load_proto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ws_load_hist.h"

/* RFC 6455 section 1.3's example key and its accept value. */
#define WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd32(void) { /* xorshift64*: mask keys only, no need for quality */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

void mask_seed(uint64_t seed) {
  rng_state ^= seed;
}

size_t handshake_request(char* buf, size_t cap, const char* path, const char* hostport) {
  return (size_t)snprintf(buf, cap,
                          "GET %s HTTP/1.1\r\n"
                          "Host: %s\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: " WS_KEY
                          "\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "User-Agent: ws_load\r\n"
                          "\r\n",
                          path, hostport);
}

/* A masked client frame (FIN set) of opcode op with payload p (len bytes). */
static int send_frame(struct conn* c, int op, const unsigned char* p, size_t len) {
  unsigned char* f = scratch;
  size_t h = 0;
  f[h++] = (unsigned char)(0x80 | op);
  if (len < 126) {
    f[h++] = (unsigned char)(0x80 | len);
  } else if (len < 65536) {
    f[h++] = 0x80 | 126;
    f[h++] = (unsigned char)(len >> 8);
    f[h++] = (unsigned char)len;
  } else {
    f[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) f[h++] = (unsigned char)((uint64_t)len >> (8 * i));
  }
  uint32_t key = rnd32();
  unsigned char m[4] = {(unsigned char)(key >> 24), (unsigned char)(key >> 16),
                        (unsigned char)(key >> 8), (unsigned char)key};
  memcpy(f + h, m, 4);
  h += 4;
  for (size_t i = 0; i < len; i++) f[h + i] = p[i] ^ m[i & 3];
  return conn_send(c, f, h + len);
}

/* The next message: its number in hex in the first bytes, then the pattern. */
void send_message(struct conn* c, int64_t now) {
  static const char hex[] = "0123456789abcdef";
  c->seq++;
  uint64_t s = c->seq;
  for (int i = SEQ_DIGITS - 1; i >= 0; i--, s >>= 4) c->seq_hex[i] = (unsigned char)hex[s & 15];
  size_t k = opt_size < SEQ_DIGITS ? opt_size : SEQ_DIGITS;
  /* The pattern with this message's prefix, for send_frame (which copies it, masked); then the
   * pattern's own first bytes again, for the echo check. */
  unsigned char saved[SEQ_DIGITS];
  memcpy(saved, pattern, k);
  memcpy(pattern, c->seq_hex, k);
  c->msg_off = 0;
  c->msg_started = 0;
  c->sent_ns = now;
  send_frame(c, opt_text ? 0x1 : 0x2, pattern, opt_size);
  memcpy(pattern, saved, k);
}

/* Compare echoed payload bytes with what the current message holds at msg_off: -1 if they match,
 * else the offset in the message of the first byte that differs (or is one too many). */
static long payload_mismatch(struct conn* c, const unsigned char* p, size_t n) {
  size_t off = c->msg_off;
  while (n && off < SEQ_DIGITS && off < opt_size) {
    if (*p != c->seq_hex[off]) return (long)off;
    p++, n--, off++;
  }
  if (n == 0) return -1;
  if (off + n > opt_size) return (long)opt_size;
  if (memcmp(p, pattern + off, n) == 0) return -1;
  for (size_t i = 0;; i++)
    if (p[i] != pattern[off + i]) return (long)(off + i);
}

static void send_close(struct conn* c) {
  static const unsigned char bye[2] = {0x03, 0xE8}; /* 1000, normal closure */
  c->state = CLOSING;
  send_frame(c, 0x8, bye, 2);
}

static void message_done(struct conn* c) {
  int64_t t = now_ns();
  if (c->state == DRAINING) {
    send_close(c);
    return;
  }
  messages++;
  hist_add(t - c->sent_ns);
  send_message(c, t);
}

/* Parse what rbuf holds. Returns -1 if the connection ended. */
int parse_frames(struct conn* c) {
  size_t pos = 0;
  while (pos < c->rlen) {
    if (c->in_payload) {
      size_t avail = c->rlen - pos;
      size_t n = (uint64_t)avail < c->frame_left ? avail : (size_t)c->frame_left;
      int active = c->state == OPEN || c->state == DRAINING;
      long bad = active ? payload_mismatch(c, c->rbuf + pos, n) : -1;
      if (bad >= 0) {
        if ((size_t)bad == opt_size)
          conn_fail(c, "echoed message longer than the %zu bytes sent", opt_size);
        else
          conn_fail(c, "the echo differs from the message sent at byte %ld", bad);
        return -1;
      }
      c->msg_off += n;
      c->frame_left -= n;
      pos += n;
      if (c->frame_left) break;
      c->in_payload = 0;
      if (c->frame_fin && active) {
        if (c->msg_off != opt_size) {
          conn_fail(c, "echoed message of %zu bytes, sent %zu", c->msg_off, opt_size);
          return -1;
        }
        message_done(c);
        if (c->state == DONE) return -1;
      }
      continue;
    }
    /* a frame header */
    size_t avail = c->rlen - pos;
    const unsigned char* h = c->rbuf + pos;
    if (avail < 2) break;
    int fin = h[0] >> 7, op = h[0] & 0x0f, masked = h[1] >> 7;
    uint64_t len = h[1] & 0x7f;
    size_t hl = 2;
    if (h[0] & 0x70) {
      conn_fail(c, "frame with reserved bits set (0x%02x)", h[0]);
      return -1;
    }
    if (len == 126) {
      if (avail < 4) break;
      len = ((uint64_t)h[2] << 8) | h[3];
      hl = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; i++) len = (len << 8) | h[2 + i];
      hl = 10;
    }
    if (masked) {
      conn_fail(c, "masked frame from the server");
      return -1;
    }
    if (op >= 0x8) { /* control frame: wait until it is complete */
      if (len > 125 || !fin) {
        conn_fail(c, "invalid control frame (opcode 0x%x, %llu bytes)", op,
                  (unsigned long long)len);
        return -1;
      }
      if (avail < hl + len) break;
      const unsigned char* p = h + hl;
      pos += hl + (size_t)len;
      if (op == 0x8) { /* close */
        if (c->state == CLOSING) {
          conn_close(c);
          return -1;
        }
        unsigned code = len >= 2 ? ((unsigned)p[0] << 8 | p[1]) : 1005;
        conn_fail(c, "closed by the server (close frame, code %u%s%.*s)", code, len > 2 ? ", " : "",
                  len > 2 ? (int)len - 2 : 0, (const char*)p + 2);
        return -1;
      }
      if (op == 0x9) { /* ping: pong with the same payload */
        unsigned char copy[125];
        memcpy(copy, p, (size_t)len);
        if (send_frame(c, 0xA, copy, (size_t)len) < 0) return -1;
      } else if (op != 0xA) {
        conn_fail(c, "unknown control opcode 0x%x", op);
        return -1;
      }
      continue;
    }
    /* data frame */
    int active = c->state == OPEN || c->state == DRAINING;
    if (active) {
      int want = opt_text ? 0x1 : 0x2;
      if (op == 0x0 ? !c->msg_started : op != want) {
        conn_fail(c,
                  op == 0x0                ? "continuation frame without a message"
                  : op == 0x1 || op == 0x2 ? "echo of the wrong kind (opcode 0x%x)"
                                           : "unknown data opcode 0x%x",
                  op);
        return -1;
      }
      if (op != 0x0 && c->msg_started) {
        conn_fail(c, "new message before the previous one ended");
        return -1;
      }
      c->msg_started = 1;
    }
    pos += hl;
    c->in_payload = 1;
    c->frame_left = len;
    c->frame_fin = fin;
    if (len == 0) { /* an empty frame: finish it right here */
      c->in_payload = 0;
      if (fin && active) {
        if (c->msg_off != opt_size) {
          conn_fail(c, "echoed message of %zu bytes, sent %zu", c->msg_off, opt_size);
          return -1;
        }
        message_done(c);
        if (c->state == DONE) return -1;
      }
    }
  }
  if (pos) {
    memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
    c->rlen -= pos;
  }
  return 0;
}

void handshake_response(struct conn* c) {
  unsigned char* end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
  if (!end) {
    if (c->rlen == RBUF_SIZE)
      conn_fail(c, "handshake response head larger than %d bytes", RBUF_SIZE);
    return;
  }
  size_t head_len = (size_t)(end - c->rbuf) + 4;
  char head[RBUF_SIZE + 1];
  memcpy(head, c->rbuf, head_len);
  head[head_len] = 0;
  char* line_end = strstr(head, "\r\n");
  if (!line_end) { /* a NUL byte in the status line */
    conn_fail(c, "malformed handshake response");
    return;
  }
  *line_end = 0;
  int status = 0;
  if (sscanf(head, "HTTP/1.%*d %d", &status) != 1 || status != 101) {
    conn_fail(c, "handshake answered \"%.200s\" (want 101)", head);
    return;
  }
  int upgrade = 0, accept = 0;
  for (char* l = line_end + 2; *l;) {
    char* e = strstr(l, "\r\n");
    if (!e) break; /* a NUL byte in the headers */
    *e = 0;
    char* colon = strchr(l, ':');
    if (colon) {
      *colon = 0;
      char* v = colon + 1;
      while (*v == ' ' || *v == '\t') v++;
      char* ve = v + strlen(v);
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) *--ve = 0;
      if (!strcasecmp(l, "upgrade") && !strcasecmp(v, "websocket")) upgrade = 1;
      if (!strcasecmp(l, "sec-websocket-accept")) accept = !strcmp(v, WS_ACCEPT) ? 1 : -1;
    }
    l = e + 2;
  }
  if (!upgrade || accept != 1) {
    conn_fail(c, "101 without %s",
              !upgrade ? "\"Upgrade: websocket\"" : "the right Sec-WebSocket-Accept");
    return;
  }
  memmove(c->rbuf, c->rbuf + head_len, c->rlen - head_len);
  c->rlen -= head_len;
  c->state = OPEN;
  open_conns++;
  /* Frames before the first message would be a server's own; parse them (pings). */
  if (c->rlen) parse_frames(c);
}
