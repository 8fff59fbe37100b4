/* ws_load_hist.c: ws_load's clock and latency histogram (see ws_load.c for the tool). Round trips
 * (send to end of echo) go into a log-linear histogram: a fixed 26 kB however many messages. */
#define _GNU_SOURCE
#include "ws_load_hist.h"

#include <stddef.h>
#include <time.h>

/* latency histogram, nanoseconds, log-linear: 64 sub-buckets per power of two (~1.6 %) */
#define HIST_SUB 64
#define HIST_BUCKETS (2 * HIST_SUB + 50 * HIST_SUB)
static uint64_t hist[HIST_BUCKETS];
static int64_t lat_max;

int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void hist_add(int64_t v) {
  if (v < 0) v = 0;
  if (v > lat_max) lat_max = v;
  uint64_t u = (uint64_t)v;
  size_t idx;
  if (u < 2 * HIST_SUB) {
    idx = (size_t)u;
  } else {
    int b = 63 - __builtin_clzll(u); /* >= 7 */
    int shift = b - 6;               /* u >> shift in [64, 128) */
    idx = 2 * HIST_SUB + (size_t)(b - 7) * HIST_SUB + (size_t)((u >> shift) - HIST_SUB);
    if (idx >= HIST_BUCKETS) idx = HIST_BUCKETS - 1;
  }
  hist[idx]++;
}

static double hist_value_ms(size_t idx) { /* the middle of a bucket */
  double v;
  if (idx < 2 * HIST_SUB) {
    v = (double)idx;
  } else {
    size_t k = idx - 2 * HIST_SUB;
    int shift = (int)(k / HIST_SUB) + 1;
    double lo = (double)((k % HIST_SUB) + HIST_SUB) * (double)(1ull << shift);
    v = lo + (double)(1ull << shift) / 2;
  }
  return v / 1e6;
}

double hist_percentile_ms(double pct) {
  uint64_t total = 0;
  for (size_t i = 0; i < HIST_BUCKETS; i++) total += hist[i];
  if (!total) return 0.0;
  uint64_t want = (uint64_t)((double)total * pct / 100.0 + 0.5);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < HIST_BUCKETS; i++) {
    seen += hist[i];
    if (seen >= want) {
      double v = hist_value_ms(i), mx = (double)lat_max / 1e6;
      return v < mx ? v : mx;
    }
  }
  return (double)lat_max / 1e6;
}

double hist_max_ms(void) {
  return (double)lat_max / 1e6;
}
