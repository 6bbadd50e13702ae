/* history — memory history: a bounded ring of one-second samples of the memory figures
 * (history.c). The field list below is the one place their names live: MEMORY HISTORY, GET
 * /history and the dashboard all print these names, with INFO's definitions. */
#ifndef ZMEM_SERVER_METRICS_HISTORY_H
#define ZMEM_SERVER_METRICS_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct event_base;

/* Milliseconds between two samples (the timer's period, and "interval_ms" in the JSON). */
#define HISTORY_INTERVAL_MS 1000

/* The fields of one sample, in the order they are printed: name (as MEMORY HISTORY and the
 * JSON print it, INFO's name where INFO has the field), kind (U64 integer or F64 double), and
 * the metrics_def.h row it is copied from (M_<src>; HISTORY_NOW: taken by history.c itself). */
/* clang-format off */
#define HISTORY_FIELDS(X) \
    X(timestamp_ms,              U64, HISTORY_NOW) \
    X(used_memory,               U64, USED_MEMORY) \
    X(used_memory_rss,           U64, USED_MEMORY_RSS) \
    X(used_memory_peak,          U64, USED_MEMORY_PEAK) \
    X(used_memory_private_dirty, U64, USED_MEMORY_PRIVATE_DIRTY) \
    X(used_memory_overhead,      U64, USED_MEMORY_OVERHEAD) \
    X(used_memory_dataset,       U64, USED_MEMORY_DATASET) \
    X(allocator_allocated,       U64, ALLOCATOR_ALLOCATED) \
    X(allocator_active,          U64, ALLOCATOR_ACTIVE) \
    X(allocator_resident,        U64, ALLOCATOR_RESIDENT) \
    X(mem_fragmentation_ratio,   F64, MEM_FRAGMENTATION_RATIO) \
    X(allocator_frag_ratio,      F64, ALLOCATOR_FRAG_RATIO) \
    X(connected_clients,         U64, CONNECTED_CLIENTS) \
    X(keys,                      U64, KEYS_COUNT) \
    X(evicted_keys,              U64, EVICTED_KEYS) \
    X(expired_keys,              U64, EXPIRED_KEYS) \
    X(instantaneous_ops_per_sec, U64, INSTANTANEOUS_OPS) \
    X(lazyfree_pending_objects,  U64, LAZYFREE_PENDING_OBJECTS)
/* clang-format on */
/* HF_used_memory, ... one index per field, then HF_COUNT. */
enum history_field_id {
#define HISTORY_FIELD_ID(name, kind, src) HF_##name,
    HISTORY_FIELDS(HISTORY_FIELD_ID)
#undef HISTORY_FIELD_ID
        HF_COUNT
};

enum history_kind { HK_U64, HK_F64 };

/* One field's name and kind (history_fields[HF_x]). */
struct history_field {
    const char *name;
    int kind; /* enum history_kind */
};
extern const struct history_field history_fields[HF_COUNT];

/* One sample: a fixed-size record, v[HF_x].u for U64 fields, v[HF_x].d for F64 ones. */
struct history_rec {
    union {
        uint64_t u;
        double d;
    } v[HF_COUNT];
};

/* Set the ring's length to memory-history-len (its array grows as samples come, by doubling)
 * and, with a base, the 1 s timer that samples
 * into it (NULL: no timer, for tests). Call it after the startup memory mark: the ring is
 * counted in used_memory_overhead on its own (history_memory()). Returns 0, or -1 when the
 * timer cannot be made (no samples are then taken). */
int history_setup(struct event_base *base);
/* Stop the timer and free the ring. Safe twice and without a setup. */
void history_teardown(void);
/* Make the ring hold at most len records, keeping the newest min(len, stored) samples in an
 * array of just that many (it grows again as samples come); 0 frees it (history off). Returns
 * 0, or -1 when the new array cannot be allocated (the old ring stays as it was). */
int history_resize(size_t len);
/* history_resize() to memory-history-len when it differs (after CONFIG SET). */
void history_apply_config(void);
/* Take one sample now, from a metrics snapshot (so with INFO's definitions; the slow figures
 * are the sampler's latest sample), into the ring. No-op when history is off. Event loop only. */
void history_sample(void);
/* Append rec to the ring, overwriting the oldest when full (history_sample()'s last step; tests
 * feed the ring with it). */
void history_push(const struct history_rec *rec);
/* Samples stored now, and how many the ring can hold. */
size_t history_len(void);
size_t history_capacity(void);
/* Call fn on the newest count samples (count 0 or > stored: all), oldest first. */
void history_foreach(size_t count, void (*fn)(const struct history_rec *rec, void *arg), void *arg);
/* Bytes the ring's array holds in the allocator (0 when empty or off). */
size_t history_memory(void);
/* The GET /history body: {"interval_ms":1000,"samples":[{"timestamp_ms":...,...},...]} with
 * the newest count samples (0: all), oldest first, doubles in their shortest exact form. */
void history_format_json(struct buf *out, size_t count);

#endif
