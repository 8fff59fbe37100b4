/* ws_load_hist.h: ws_load's clock and per-message latency histogram (ws_load_hist.c). */
#ifndef WS_LOAD_HIST_H
#define WS_LOAD_HIST_H

#include <stdint.h>

int64_t now_ns(void);                  /* CLOCK_MONOTONIC, nanoseconds */
void hist_add(int64_t v);              /* one round trip, nanoseconds */
double hist_percentile_ms(double pct); /* 0.0 when nothing was added */
double hist_max_ms(void);

#endif
