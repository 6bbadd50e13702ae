/* metrics — every metric zmem reports, declared once (metrics_def.h) and rendered three ways:
 * INFO text, the MEMORY STATS map, and Prometheus text. Also the stats sampler thread that
 * reads the slow probes (RSS, allocator stats, private dirty) every 1000/hz ms so that no
 * reply ever parses /proc on the event loop. */
#ifndef ZMEM_SERVER_METRICS_H
#define ZMEM_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* One consistent sample of the slow probes, taken together by the sampler thread. */
struct mem_sample {
    int64_t taken_ms;      /* 0 until the first sample */
    size_t used;           /* zmalloc_used_memory() at the same instant */
    size_t rss;
    size_t allocated, active, resident, retained, muzzy;
    size_t private_dirty;
};

/* Start the sampler thread (takes a first sample before returning). Returns 0 or -1. */
int metrics_setup(void);
/* Stop and join the sampler thread. */
void metrics_teardown(void);
/* The latest sample (copied under the sampler's lock). */
void metrics_sample_get(struct mem_sample *out);
/* Raise the used-memory peak; cheap, called after every command batch and from the cron. */
void metrics_update_peak(void);
/* Cron hook (hz): instantaneous ops/kbps samples, peak. */
void metrics_cron(void);

/* INFO [section ...] text (CRLF lines, "# Section" headers), appended to out. nsect = 0 means
 * the default set. Unknown names contribute nothing. */
void metrics_render_info(struct buf *out, int nsect, const char *const *sect, const size_t *len);
/* Prometheus exposition text of every metric (for /metrics). */
void metrics_render_prom(struct buf *out);

#endif
