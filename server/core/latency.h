/* latency — the latency monitor and per-command latency histograms. The monitor keeps, per
 * event ("command", "fast-command", "eviction-cycle", "expire-cycle"), the last 160 spikes of at
 * least latency-monitor-threshold ms, one per second (the worst of that second), for LATENCY
 * LATEST/HISTORY/GRAPH/DOCTOR. A histogram counts each call's duration in microseconds in
 * log-linear buckets (exact below 8us, 4 a power of two above) while latency-tracking is
 * yes, for LATENCY HISTOGRAM and INFO latencystats. */
#ifndef ZMEM_SERVER_LATENCY_H
#define ZMEM_SERVER_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_SAMPLES 160

/* One recorded spike: unix time in seconds, duration in milliseconds. */
struct latency_sample {
    int64_t time;
    uint32_t ms;
};

/* Record a spike of `ms` milliseconds for event if the monitor is on (threshold > 0) and ms
 * reaches it. Within one second only the worst spike is kept. */
void latency_add_sample_if_needed(const char *event, int64_t ms);
/* Visit every event that has samples, in a fixed order: its name, its samples oldest first
 * (n of them), and the worst spike since the last reset. */
void latency_foreach_event(void (*fn)(const char *event, const struct latency_sample *s, size_t n,
                                      uint32_t max, void *ctx),
                           void *ctx);
/* The samples of one event, copied oldest first into out (LATENCY_SAMPLES long); returns how
 * many, 0 for an unknown event or one without samples. *max gets the worst spike. */
size_t latency_event_samples(const char *event, struct latency_sample *out, uint32_t *max);
/* Forget one event's samples: 1 if it had any, else 0. */
int latency_reset_event(const char *event);
/* Forget every event's samples; returns how many events had some. */
int latency_reset_all(void);

/* A per-command histogram. It lives in the command's static statistics record, not on the
 * heap: a command's first call must not change used_memory (tests and operators compare it
 * with a baseline), and zeroing the record (CONFIG RESETSTAT) empties it. */
#define LATENCY_HIST_SUB_BITS 2
#define LATENCY_HIST_SUB      (1 << LATENCY_HIST_SUB_BITS)
#define LATENCY_HIST_MAX_LOG  36 /* durations clamp at 2^36 us, 19 hours */
#define LATENCY_HIST_BUCKETS  ((LATENCY_HIST_MAX_LOG - LATENCY_HIST_SUB_BITS + 1) * LATENCY_HIST_SUB)
struct latency_hist {
    uint64_t calls;
    uint64_t b[LATENCY_HIST_BUCKETS];
};
/* Count one call of `us` microseconds. */
void latency_hist_record(struct latency_hist *h, int64_t us);
/* Calls counted in h. */
uint64_t latency_hist_calls(const struct latency_hist *h);
/* The duration in microseconds under which `pct` percent of the calls took (the upper bound
 * of the bucket holding that call). 0 for an empty histogram. */
double latency_hist_percentile(const struct latency_hist *h, double pct);
/* Cumulative counts as Redis's LATENCY HISTOGRAM shows them: for bucket limits of 1.024us
 * times each power of two, the limit truncated to whole microseconds (1, 2, 4, 8, 16, 32, 65,
 * 131...) and the calls at or under it, visited only where the count grows. */
void latency_hist_foreach_bucket(const struct latency_hist *h,
                                 void (*fn)(long long usec, uint64_t cumulative, void *ctx),
                                 void *ctx);
/* How many buckets latency_hist_foreach_bucket() will visit. */
size_t latency_hist_bucket_count(const struct latency_hist *h);

#endif
