/* history.c — memory history: one zmalloc'd ring of fixed-size records, filled once a second by
 * a libevent timer on the event loop (so connected_clients and keys are read where they are
 * kept) from a metrics snapshot (so every field has INFO's definition, and the slow figures come
 * from the sampler's one consistent sample). No allocation per sample. Also the JSON body of
 * GET /history. */
#include "history.h"

#include <event2/event.h>
#include <math.h>
#include <string.h>

#include "memcat.h"
#include "buf.h"
#include "config.h"
#include "metrics.h"
#include "util.h"
#include "zmalloc.h"

const struct history_field history_fields[HF_COUNT] = {
#define HISTORY_FIELD_DEF(name, kind, src) [HF_##name] = {#name, HK_##kind},
    HISTORY_FIELDS(HISTORY_FIELD_DEF)
#undef HISTORY_FIELD_DEF
};

/* The timestamp is not a snapshot row: M_HISTORY_NOW stands for it in the field list. */
enum { M_HISTORY_NOW = -1, METRIC_KIND_HISTORY_NOW = MK_U64 };

/* A field copied from the snapshot has the kind of its row: an I64 or STR row would otherwise
 * be read through the wrong union member. */
#define HISTORY_CHECK_KIND(name, kind, src)                                                        \
    _Static_assert((int)METRIC_KIND_##src == (int)MK_##kind,                                       \
                   "history field " #name " is not of its metric's kind");
HISTORY_FIELDS(HISTORY_CHECK_KIND)
#undef HISTORY_CHECK_KIND

/* The union member of each kind. */
#define HISTORY_MEMBER_U64 u
#define HISTORY_MEMBER_F64 d

/* The ring is allocated whole (512 KiB by default) when it is set up or resized: growing it
 * as samples arrive would move used_memory by itself every so often, and an operator
 * comparing two figures a minute apart would see the history's growth, not theirs. */

static struct {
    struct history_rec *ring; /* alloc records; NULL when empty or off */
    size_t cap;               /* memory-history-len: most samples kept */
    size_t alloc;             /* records allocated: len <= alloc <= cap */
    size_t len;               /* records stored */
    size_t head;              /* where the next record goes */
    struct event *timer;
} hist;

size_t
history_len(void)
{
    return hist.len;
}

size_t
history_capacity(void)
{
    return hist.cap;
}

size_t
history_memory(void)
{
    return hist.ring ? zmalloc_size(hist.ring) : 0;
}

/* Index of the i-th stored record, 0 being the oldest. */
static size_t
rec_index(size_t i)
{
    return (hist.head + hist.alloc - hist.len + i) % hist.alloc;
}

int
history_resize(size_t len)
{
    MEMCAT_SCOPE(MC_METRICS);
    struct history_rec *ring = NULL;
    size_t keep = hist.len < len ? hist.len : len;

    if (len == hist.cap)
        return 0;
    if (len > 0) {
        /* A large CONFIG SET must not abort the server: refuse it and keep the ring. */
        ring = ztrymalloc(len * sizeof(*ring));
        if (ring == NULL)
            return -1;
        /* The newest keep records, oldest first. */
        for (size_t i = 0; i < keep; i++)
            ring[i] = hist.ring[rec_index(hist.len - keep + i)];
    }
    zfree(hist.ring);
    hist.ring = ring;
    hist.cap = len;
    hist.alloc = len;
    hist.len = keep;
    hist.head = len ? keep % len : 0;
    return 0;
}

void
history_apply_config(void)
{
    int len = config_get()->memory_history_len;

    if ((size_t)(len > 0 ? len : 0) != hist.cap)
        history_resize((size_t)(len > 0 ? len : 0));
}

void
history_push(const struct history_rec *rec)
{
    if (hist.alloc == 0)
        return;
    hist.ring[hist.head] = *rec;
    hist.head = (hist.head + 1) % hist.alloc;
    if (hist.len < hist.alloc)
        hist.len++;
}

void
history_sample(void)
{
    struct metrics_snapshot s;
    struct history_rec rec;

    if (hist.cap == 0)
        return;
    metrics_collect(&s, MS_BIT(MS_CLIENTS) | MS_BIT(MS_MEMORY) | MS_BIT(MS_STATS));
    rec.v[HF_timestamp_ms].u = (uint64_t)wall_ms();
#define HISTORY_FILL(name, kind, src)                                                              \
    if (M_##src >= 0)                                                                              \
        rec.v[HF_##name].HISTORY_MEMBER_##kind =                                                   \
            s.v[M_##src < 0 ? 0 : M_##src].HISTORY_MEMBER_##kind;
    HISTORY_FIELDS(HISTORY_FILL)
#undef HISTORY_FILL
    history_push(&rec);
}

void
history_foreach(size_t count, void (*fn)(const struct history_rec *rec, void *arg), void *arg)
{
    size_t n = count == 0 || count > hist.len ? hist.len : count;

    for (size_t i = hist.len - n; i < hist.len; i++)
        fn(&hist.ring[rec_index(i)], arg);
}

/* ---- Timer ---- */

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
    history_apply_config();
    history_sample();
}

int
history_setup(struct event_base *base)
{
    history_apply_config(); /* the whole ring of memory-history-len, allocated now */
    if (base && hist.timer == NULL) {
        /* A persistent timer is rescheduled from when it was due, not from when it ran: the
         * samples stay HISTORY_INTERVAL_MS apart on average however late the loop is. */
        struct timeval tv = {HISTORY_INTERVAL_MS / 1000, (HISTORY_INTERVAL_MS % 1000) * 1000};
        hist.timer = event_new(base, -1, EV_PERSIST, on_tick, NULL);
        if (hist.timer == NULL || event_add(hist.timer, &tv) < 0)
            return -1;
    }
    return 0;
}

void
history_teardown(void)
{
    MEMCAT_SCOPE(MC_METRICS);
    if (hist.timer) {
        event_free(hist.timer);
        hist.timer = NULL;
    }
    history_resize(0);
}

/* ---- JSON ---- */

/* v in decimal into dst (>= 20 bytes, not terminated); returns the length. */
static size_t
u64_text(char *dst, uint64_t v)
{
    char rev[20];
    size_t n = 0;

    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = rev[n - 1 - i];
    return n;
}

static void
json_rec(const struct history_rec *rec, void *arg)
{
    struct buf *out = arg;
    char num[64];

    /* Appends, not printf: a full ring is 3600 records of 18 fields on the event loop. */
    buf_append_str(out, out->data[out->len - 1] == '[' ? "{\"" : ",{\"");
    for (int f = 0; f < HF_COUNT; f++) {
        size_t n;
        if (f)
            buf_append(out, ",\"", 2);
        buf_append_str(out, history_fields[f].name);
        buf_append(out, "\":", 2);
        if (history_fields[f].kind == HK_U64) {
            n = u64_text(num, rec->v[f].u);
        } else if (isfinite(rec->v[f].d)) {
            n = double_to_shortest(num, sizeof(num), rec->v[f].d);
        } else {
            memcpy(num, "null", 4); /* JSON has no NaN or infinity */
            n = 4;
        }
        buf_append(out, num, n);
    }
    buf_append(out, "}", 1);
}

void
history_format_json(struct buf *out, size_t count)
{
    size_t n = count == 0 || count > hist.len ? hist.len : count;

    /* One reservation for the whole body (about 430 bytes a sample), not a doubling series. */
    if (buf_reserve_exact(out, 64 + n * 512) < 0)
        return;
    buf_printf(out, "{\"interval_ms\":%d,\"samples\":[", HISTORY_INTERVAL_MS);
    if (out->oom)
        return;
    history_foreach(count, json_rec, out);
    buf_append_str(out, "]}\n");
}
