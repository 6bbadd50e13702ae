/* sampler — the stats sampler thread (sampler.c): reads the slow memory probes (RSS, allocator
 * statistics, smaps Private_Dirty) every 1000/hz ms, away from the event loop, so that no reply
 * ever parses /proc. metrics.c starts and stops it and reads its latest sample. */
#ifndef ZMEM_SERVER_METRICS_SAMPLER_H
#define ZMEM_SERVER_METRICS_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* One consistent sample of the slow probes, taken together by the sampler thread. */
struct mem_sample {
    int64_t taken_ms; /* 0 until the first sample */
    size_t used;      /* zmalloc_used_memory() at the same instant */
    size_t rss;
    size_t allocated, tcache, internal; /* zmalloc_get_allocator_info's definitions */
    size_t active, resident, retained, muzzy;
    size_t private_dirty;
};

/* Take one sample synchronously (so the first INFO has real figures), then start the thread
 * that samples every interval. Idempotent. Returns 0, or -1 when the thread cannot start. */
int metrics_sampler_start(void);
/* Stop and join the thread. Safe without a start and twice. */
void metrics_sampler_stop(void);
/* Sample every 1000/hz ms from the next wait on (hz <= 0: the default 100 ms). Any thread. */
void metrics_sampler_interval(int hz);
/* The latest sample, copied under the sampler's lock; all zeros before the first start. */
void metrics_sample_get(struct mem_sample *out);

#endif
