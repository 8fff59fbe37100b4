/* ws_load_proto.h: what ws_load.c (options, connections, epoll loop, main) and ws_load_proto.c
 * (the WebSocket protocol on one connection: handshake, frames, echo check) share. See ws_load.c
 * for what ws_load does. */
#ifndef WS_LOAD_PROTO_H
#define WS_LOAD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define RBUF_SIZE 16384
#define SEQ_DIGITS 8 /* the first bytes of every payload: the message number in hex */

/* DRAINING: the run is over, the message in flight is still awaited (not counted); then a close
 * frame is sent (CLOSING) and the server's close frame or EOF awaited. */
enum state { CONNECTING, HANDSHAKE, OPEN, DRAINING, CLOSING, DONE };

struct conn {
  int fd;
  enum state state;
  int failed;      /* counted in errors */
  uint32_t events; /* what epoll waits for */
  /* handshake request / frames not yet fully written */
  unsigned char* pending;
  size_t pending_len, pending_off, pending_cap;
  /* receive buffer and frame parser */
  unsigned char rbuf[RBUF_SIZE];
  size_t rlen;
  int in_payload;      /* inside a data frame's payload */
  uint64_t frame_left; /* its payload bytes still to come */
  int frame_fin;
  size_t msg_off;  /* echoed payload bytes of the current message seen so far */
  int msg_started; /* a first data frame of the current message has been seen */
  uint64_t seq;    /* number of the message in flight */
  unsigned char seq_hex[SEQ_DIGITS];
  int64_t sent_ns;
};

/* ---- in ws_load.c: options, shared state, connection I/O ---------------------------------- */
extern size_t opt_size;
extern int opt_text;
extern unsigned char* pattern; /* opt_size bytes: the payload without its sequence prefix */
extern unsigned char* scratch; /* one outgoing frame */
extern uint64_t messages;
extern int open_conns; /* connections in OPEN state */

void conn_close(struct conn* c);
/* A connection that fails or ends early: counted in errors, with the reason on stderr. */
void conn_fail(struct conn* c, const char* fmt, ...);
/* Send bytes, or queue what the socket does not take now. Returns -1 if the connection failed. */
int conn_send(struct conn* c, const unsigned char* data, size_t len);

/* ---- in ws_load_proto.c: the WebSocket protocol -------------------------------------------- */
/* The client handshake request for path and Host hostport into buf (cap bytes); its length. */
size_t handshake_request(char* buf, size_t cap, const char* path, const char* hostport);
/* Check the handshake response in rbuf once its head is complete: OPEN, or the connection fails. */
void handshake_response(struct conn* c);
void mask_seed(uint64_t seed); /* mixed into the mask keys' generator */
/* The next message on an OPEN connection, sent at now (ns). */
void send_message(struct conn* c, int64_t now);
/* Parse what rbuf holds. Returns -1 if the connection ended. */
int parse_frames(struct conn* c);

#endif
