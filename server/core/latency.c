/* latency.c — the latency monitor's event rings and the per-command histograms (see
 * latency.h). Everything runs on the event-loop thread. */
#include "latency.h"

#include <string.h>

#include "memcat.h"
#include "config.h"
#include "util.h"

/* The events zmem records; a fixed list keeps lookups allocation-free. */
static const char *const event_names[] = {"command", "fast-command", "eviction-cycle",
                                          "expire-cycle"};
#define NEVENTS (sizeof(event_names) / sizeof(event_names[0]))

static struct {
    struct latency_sample ring[LATENCY_SAMPLES];
    size_t next, count;
    uint32_t max;
} events[NEVENTS];

static int
event_index(const char *event)
{
    for (size_t i = 0; i < NEVENTS; i++)
        if (strcmp(event_names[i], event) == 0)
            return (int)i;
    return -1;
}

void
latency_add_sample_if_needed(const char *event, int64_t ms)
{
    MEMCAT_SCOPE(MC_METRICS);
    long long threshold = config_get()->latency_monitor_threshold;
    int i = event_index(event);

    if (threshold <= 0 || ms < threshold || i < 0)
        return;
    int64_t now = wall_ms() / 1000;
    uint32_t v = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    if (v > events[i].max)
        events[i].max = v;
    /* The same second as the newest sample: keep the worse of the two. */
    if (events[i].count) {
        struct latency_sample *last =
            &events[i].ring[(events[i].next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES];
        if (last->time == now) {
            if (v > last->ms)
                last->ms = v;
            return;
        }
    }
    events[i].ring[events[i].next] = (struct latency_sample){now, v};
    events[i].next = (events[i].next + 1) % LATENCY_SAMPLES;
    if (events[i].count < LATENCY_SAMPLES)
        events[i].count++;
}

static size_t
copy_samples(size_t i, struct latency_sample *out)
{
    size_t n = events[i].count;
    size_t start = (events[i].next + LATENCY_SAMPLES - n) % LATENCY_SAMPLES;
    for (size_t k = 0; k < n; k++)
        out[k] = events[i].ring[(start + k) % LATENCY_SAMPLES];
    return n;
}

void
latency_foreach_event(void (*fn)(const char *event, const struct latency_sample *s, size_t n,
                                 uint32_t max, void *ctx),
                      void *ctx)
{
    struct latency_sample tmp[LATENCY_SAMPLES];
    for (size_t i = 0; i < NEVENTS; i++) {
        size_t n = copy_samples(i, tmp);
        if (n)
            fn(event_names[i], tmp, n, events[i].max, ctx);
    }
}

size_t
latency_event_samples(const char *event, struct latency_sample *out, uint32_t *max)
{
    int i = event_index(event);
    if (i < 0)
        return 0;
    *max = events[i].max;
    return copy_samples((size_t)i, out);
}

int
latency_reset_event(const char *event)
{
    MEMCAT_SCOPE(MC_METRICS);
    int i = event_index(event);
    if (i < 0 || events[i].count == 0)
        return 0;
    memset(&events[i], 0, sizeof(events[i]));
    return 1;
}

int
latency_reset_all(void)
{
    MEMCAT_SCOPE(MC_METRICS);
    int n = 0;
    for (size_t i = 0; i < NEVENTS; i++)
        n += latency_reset_event(event_names[i]);
    return n;
}

/* ---- Histograms ---- */

#define SUB      LATENCY_HIST_SUB
#define NBUCKETS LATENCY_HIST_BUCKETS
#define MAX_US   ((1LL << LATENCY_HIST_MAX_LOG) - 1)

static int
bucket_of(uint64_t v)
{
    if (v < 2 * SUB)
        return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - LATENCY_HIST_SUB_BITS; /* keeps the top bits: SUB..2*SUB-1 */
    return (shift + 1) * SUB + (int)((v >> shift) - SUB);
}

static uint64_t
bucket_low(int i)
{
    if (i < 2 * SUB)
        return (uint64_t)i;
    int shift = i / SUB - 1;
    return (uint64_t)(i % SUB + SUB) << shift;
}

static uint64_t
bucket_high(int i)
{
    if (i < 2 * SUB)
        return (uint64_t)i;
    int shift = i / SUB - 1;
    return ((uint64_t)(i % SUB + SUB + 1) << shift) - 1;
}

void
latency_hist_record(struct latency_hist *h, int64_t us)
{
    if (us < 0)
        us = 0;
    if (us > MAX_US)
        us = MAX_US;
    h->calls++;
    h->b[bucket_of((uint64_t)us)]++;
}

uint64_t
latency_hist_calls(const struct latency_hist *h)
{
    return h->calls;
}

double
latency_hist_percentile(const struct latency_hist *h, double pct)
{
    if (h->calls == 0)
        return 0;
    uint64_t want = (uint64_t)(pct / 100.0 * (double)h->calls + 0.5);
    if (want < 1)
        want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < NBUCKETS; i++) {
        seen += h->b[i];
        if (seen >= want)
            return (double)bucket_high(i);
    }
    return (double)MAX_US;
}

void
latency_hist_foreach_bucket(const struct latency_hist *h,
                            void (*fn)(long long usec, uint64_t cumulative, void *ctx), void *ctx)
{
    uint64_t prev = 0, cum = 0;
    int i = 0;
    /* Limits of 1024ns * 2^k, in whole microseconds as Redis prints them. */
    for (long long ns = 1024; cum < h->calls; ns *= 2) {
        long long usec = ns / 1000;
        while (i < NBUCKETS && bucket_low(i) <= (uint64_t)usec)
            cum += h->b[i++];
        if (cum > prev) {
            fn(usec, cum, ctx);
            prev = cum;
        }
    }
}

static void
count_one(long long usec, uint64_t cumulative, void *ctx)
{
    (void)usec;
    (void)cumulative;
    (*(size_t *)ctx)++;
}

size_t
latency_hist_bucket_count(const struct latency_hist *h)
{
    size_t n = 0;
    latency_hist_foreach_bucket(h, count_one, &n);
    return n;
}
