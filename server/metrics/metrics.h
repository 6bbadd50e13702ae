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
#define METRIC_ID(id, sect, info, stats, prom, kind, unit, type, value, help) M_##id,
    METRICS(METRIC_ID)
#undef METRIC_ID
        M_COUNT
};

/* The value column: LIVE, or CONST(x). Pasted onto these prefixes, it says whether the row is
 * live and what its constant is (0 for a live row, never read). */
#define METRIC_IS_LIVE_LIVE      1
#define METRIC_IS_LIVE_CONST(x)  0
#define METRIC_CONST_OF_LIVE     0
#define METRIC_CONST_OF_CONST(x) x

/* Per row, as compile-time constants for the setters below: METRIC_KIND_<id> (enum
 * metric_kind) and METRIC_LIVE_<id> (1 for a LIVE row). */
enum metric_row_facts {
#define METRIC_FACTS(id, sect, info, stats, prom, kind, unit, type, value, help)                   \
    METRIC_KIND_##id = MK_##kind, METRIC_LIVE_##id = METRIC_IS_LIVE_##value,
    METRICS(METRIC_FACTS)
#undef METRIC_FACTS
};

union metric_value {
    uint64_t u;
    int64_t i;
    double d;
    const char *s; /* static or long-lived text */
};

struct metric_def {
    const char *info;  /* INFO name, or NULL */
    const char *stats; /* MEMORY STATS key, or NULL */
    const char *prom;  /* Prometheus name without "redis_", or NULL */
    const char *help;
    unsigned char sect, kind, unit, type; /* enum metric_section / _kind / _unit / _type */
    unsigned char live;                   /* 1: collect code writes it; 0: value below */
    union metric_value value;             /* a CONST row's value, of its kind */
};
extern const struct metric_def metric_defs[M_COUNT];

/* The values of one request, all read at one moment. written has a bit per row that holds a
 * value of this request: the CONST rows and, through the setters, the LIVE rows of the
 * sections collected. Rows of sections not collected stay 0 and unwritten. */
struct metrics_snapshot {
    union metric_value v[M_COUNT];
    uint64_t written[(M_COUNT + 63) / 64];
};

/* 1 when row id of s holds a value of this request (see struct metrics_snapshot). */
static inline int
metrics_written(const struct metrics_snapshot *s, int id)
{
    return (int)((s->written[id / 64] >> (id % 64)) & 1);
}

/* Which kind a value expression may be stored as: floating point only in F64 rows, text only
 * in STR rows, integers in U64 and I64 rows. x is not evaluated (_Generic). */
#define METRIC_VALUE_CLASS(x)                                                                      \
    _Generic((x),                                                                                  \
        float: MK_F64,                                                                             \
        double: MK_F64,                                                                            \
        long double: MK_F64,                                                                       \
        char *: MK_STR,                                                                            \
        const char *: MK_STR,                                                                      \
        default: MK_U64)
#define METRIC_KIND_CLASS(k) ((k) == MK_I64 ? MK_U64 : (k))

/* The only way collect code writes a row: METRIC_SET_U64(s, USED_MEMORY, used) stores used in
 * s->v[M_USED_MEMORY].u and marks the row written. It fails to compile when the row's kind is
 * not the setter's, when the row is CONST, or when val is of the wrong class (a double into a
 * U64 row, a number into a STR row). val is evaluated once. */
#define METRIC_SET_(snap, id, k, member, val)                                                      \
    do {                                                                                           \
        _Static_assert((int)METRIC_KIND_##id == (int)MK_##k, "M_" #id " is not a " #k " row");     \
        _Static_assert(METRIC_LIVE_##id, "M_" #id " is CONST in metrics_def.h, not LIVE");         \
        _Static_assert(METRIC_VALUE_CLASS(val) == METRIC_KIND_CLASS(MK_##k),                       \
                       "the value for M_" #id " is not of kind " #k);                              \
        (snap)->v[M_##id].member = (val);                                                          \
        (snap)->written[M_##id / 64] |= 1ull << (M_##id % 64);                                     \
    } while (0)
#define METRIC_SET_U64(snap, id, val) METRIC_SET_(snap, id, U64, u, val)
#define METRIC_SET_I64(snap, id, val) METRIC_SET_(snap, id, I64, i, val)
#define METRIC_SET_F64(snap, id, val) METRIC_SET_(snap, id, F64, d, val)
#define METRIC_SET_STR(snap, id, val) METRIC_SET_(snap, id, STR, s, val)

/* INFO arguments to a section mask: case-insensitive names, "default", "all", "everything",
 * duplicates ignored, unknown names contribute nothing. nsect = 0 gives MS_DEFAULT. */
unsigned metrics_section_mask(int nsect, const char *const *sect, const size_t *len);
/* "Memory" for MS_MEMORY: the header INFO prints for a section. */
const char *metrics_section_title(int sect);
/* Fill s with the rows of the sections in mask: CONST rows from the table, LIVE rows read now
 * (RSS and allocator figures from the latest sampler snapshot: one sample for the whole call),
 * and mark them written. Every other row is 0 and unwritten. */
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
