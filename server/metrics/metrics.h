/* metrics — every metric zmem reports, declared once (metrics_def.h): the ids and definitions
 * expanded from the table, the snapshot that collect fills, the MEMORY STATS map and
 * Prometheus renderers, and the module's setup and cron (metrics.c). INFO text is info.h, the
 * sampler thread sampler.h. */
#ifndef ZMEM_SERVER_METRICS_H
#define ZMEM_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "metrics_def.h"

struct buf;

/* MS_SERVER, ... one id per row of METRIC_SECTIONS, in INFO's order, then MS_COUNT. */
enum metric_section {
#define METRIC_SECTION_ID(id, title, set) MS_##id,
    METRIC_SECTIONS(METRIC_SECTION_ID)
#undef METRIC_SECTION_ID
        MS_COUNT
};
#define MS_BIT(s) (1u << (s))
#define MS_ALL    ((1u << MS_COUNT) - 1)
/* INFO with no argument, or "default": the sections the table marks IN_DEFAULT. */
#define MS_SET_IN_DEFAULT                      1u
#define MS_SET_ON_REQUEST                      0u
#define METRIC_SECTION_DEFAULT(id, title, set) | (MS_SET_##set ? MS_BIT(MS_##id) : 0u)
#define MS_DEFAULT                             (0u METRIC_SECTIONS(METRIC_SECTION_DEFAULT))

enum metric_kind { MK_U64, MK_I64, MK_F64, MK_STR };
enum metric_unit {
    MU_COUNT,
    MU_BYTES,
    MU_BYTES_H,
    MU_HUMAN,
    MU_PCT,
    MU_RATIO,
    MU_SEC,
    MU_USEC,
    MU_TEXT
};
enum metric_type { MT_GAUGE, MT_COUNTER };

/* M_USED_MEMORY, ... one id per row of metrics_def.h, then M_COUNT. */
enum metric_id {
#define METRIC_ID(id, sect, info, stats, prom, kind, unit, type, help) M_##id,
    METRICS(METRIC_ID)
#undef METRIC_ID
        M_COUNT
};

struct metric_def {
    const char *info;  /* INFO name, or NULL */
    const char *stats; /* MEMORY STATS key, or NULL */
    const char *prom;  /* Prometheus name without "redis_", or NULL */
    const char *help;
    unsigned char sect, kind, unit, type; /* enum metric_section / _kind / _unit / _type */
};
extern const struct metric_def metric_defs[M_COUNT];

union metric_value {
    uint64_t u;
    int64_t i;
    double d;
    const char *s; /* static or long-lived text */
};

/* The values of one request, all read at one moment (rows of sections not collected are 0). */
struct metrics_snapshot {
    union metric_value v[M_COUNT];
};

/* INFO arguments to a section mask: case-insensitive names, "default", "all", "everything",
 * duplicates ignored, unknown names contribute nothing. nsect = 0 gives MS_DEFAULT. */
unsigned metrics_section_mask(int nsect, const char *const *sect, const size_t *len);
/* "Memory" for MS_MEMORY: the header INFO prints for a section. */
const char *metrics_section_title(int sect);
/* Fill s with the rows of the sections in mask: cheap values live, RSS and allocator figures
 * from the latest sampler snapshot (one sample for the whole call). */
void metrics_collect(struct metrics_snapshot *s, unsigned mask);
/* Prometheus text of every row with a Prometheus name, from s (collected with MS_ALL);
 * with_lists adds the labelled families (db keys, commands, errors, instance info). */
void metrics_format_prom(struct buf *out, const struct metrics_snapshot *s, int with_lists);

/* Where MEMORY STATS goes: a RESP writer in cmd_memory.c, a recorder in tests. */
struct metrics_map_sink {
    void (*map)(void *ctx, long long pairs);
    void (*key)(void *ctx, const char *key);
    void (*integer)(void *ctx, long long v);
    void (*dbl)(void *ctx, double v);
    void *ctx;
};
/* The MEMORY STATS map from s (collected with MS_BIT(MS_MEMORY)): its keys in Redis's order,
 * and with_dbs adds the db.<N> maps of the non-empty databases. */
void metrics_render_map(const struct metrics_snapshot *s, const struct metrics_map_sink *sink,
                        int with_dbs);

/* Compute the identity rows and start the sampler thread. event_method is the name of the
 * event backend (event_base_get_method()), kept by pointer for INFO's multiplexing_api: libevent
 * returns a static string; NULL prints "unknown". Returns 0 or -1. */
int metrics_setup(const char *event_method);
/* Stop and join the sampler thread. */
void metrics_teardown(void);
/* Cron hook (hz): instantaneous ops/kbps samples, peak, sampler interval. */
void metrics_cron(void);
/* Prometheus exposition text of every metric (for /metrics). */
void metrics_render_prom(struct buf *out);

#endif
