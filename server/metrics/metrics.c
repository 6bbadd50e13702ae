/* metrics.c — the metric table expanded, the snapshot that fills it (collect), the MEMORY STATS
 * map and Prometheus renderers, and the cron hooks (peak, instantaneous rates). INFO text is in
 * info.c, the sampler thread in sampler.c. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memcat.h"
#include "blocking.h"
#include "buf.h"
#include "client.h"
#include "command.h"
#include "config.h"
#include "db.h"
#include "defrag.h"
#include "history.h"
#include "lazyfree.h"
#include "pubsub.h"
#include "tracking.h"
#include "sampler.h"
#include "stats.h"
#include "util.h"
#include "zmalloc.h"

/* A CONST value as the union member of its row's kind. */
/* clang-format off */
#define METRIC_INIT_U64(x) {.u = (x)}
#define METRIC_INIT_I64(x) {.i = (x)}
#define METRIC_INIT_F64(x) {.d = (x)}
#define METRIC_INIT_STR(x) {.s = (x)}

const struct metric_def metric_defs[M_COUNT] = {
#define METRIC_DEF(id, sect, info, stats, prom, kind, unit, type, value, help) \
    [M_##id] = {info, stats, prom, help, MS_##sect, MK_##kind, MU_##unit, MT_##type, \
                METRIC_IS_LIVE_##value, METRIC_INIT_##kind(METRIC_CONST_OF_##value)},
    METRICS(METRIC_DEF)
#undef METRIC_DEF
};
/* clang-format on */

/* A CONST value of the wrong kind fails here, as a setter's value does (metrics.h): 0 in a STR
 * row would print "", 1.5 in a U64 row would print 1. */
#define METRIC_CHECK_CONST(id, sect, info, stats, prom, kind, unit, type, value, help)             \
    _Static_assert(METRIC_IS_LIVE_##value || METRIC_VALUE_CLASS(METRIC_CONST_OF_##value) ==        \
                                                 METRIC_KIND_CLASS(MK_##kind),                     \
                   "M_" #id ": its CONST value is not of kind " #kind);
METRICS(METRIC_CHECK_CONST)
#undef METRIC_CHECK_CONST

/* ---- Identity: what does not change while the server runs, computed once. ---- */

static struct {
    int ready;
    char os[256];
    char gcc[32];
    char build_id[17];
    char replid[41];
    const char *event_method; /* static in libevent; NULL before metrics_setup() */
    size_t total_system_memory;
} ident;

static void
ident_init(void)
{
    struct utsname u;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over what identifies this build */
    const char *seed = ZMEM_VERSION " " __VERSION__;
    const char *run = server_run_id();

    if (ident.ready)
        return;
    if (uname(&u) == 0)
        snprintf(ident.os, sizeof(ident.os), "%s %s %s", u.sysname, u.release, u.machine);
#ifdef __GNUC__
    snprintf(ident.gcc, sizeof(ident.gcc), "%d.%d.%d", __GNUC__, __GNUC_MINOR__,
             __GNUC_PATCHLEVEL__);
#else
    snprintf(ident.gcc, sizeof(ident.gcc), "0.0.0");
#endif
    for (const char *p = seed; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(ident.build_id, sizeof(ident.build_id), "%016llx", (unsigned long long)h);
    /* The replication id differs from the run id in Redis; derive a distinct one from it. */
    for (int i = 0; i < 40; i++) {
        char c = run && strlen(run) == 40 ? run[39 - i] : '0';
        ident.replid[i] = c;
    }
    ident.replid[40] = '\0';
    ident.total_system_memory = zmalloc_get_memory_size();
    ident.ready = 1;
}

/* ---- Lifecycle and cron. ---- */

int
metrics_setup(const char *event_method)
{
    ident_init();
    ident.event_method = event_method;
    metrics_sampler_interval(config_get()->hz);
    return metrics_sampler_start();
}

void
metrics_teardown(void)
{
    metrics_sampler_stop();
}

/* Instantaneous rates, as Redis keeps them: one rate per >= 100 ms sample, averaged over the
 * last 16 samples. */
#define INST_SAMPLES   16
#define INST_PERIOD_MS 100
enum { INST_OPS, INST_IN, INST_OUT, INST_COUNT };
static struct {
    int64_t last_ms;
    uint64_t last[INST_COUNT];
    double rate[INST_COUNT][INST_SAMPLES];
    int idx;
} inst;

static double
inst_average(int which)
{
    double sum = 0;
    for (int i = 0; i < INST_SAMPLES; i++)
        sum += inst.rate[which][i];
    return sum / INST_SAMPLES;
}

void
metrics_cron(void)
{
    struct server_stats *st = server_stats();
    int64_t now = mono_ms();
    uint64_t cur[INST_COUNT] = {st->commands_processed, st->net_input_bytes, st->net_output_bytes};

    zmalloc_update_peak();
    metrics_sampler_interval(config_get()->hz);
    if (inst.last_ms == 0) {
        inst.last_ms = now;
        memcpy(inst.last, cur, sizeof(cur));
        return;
    }
    if (now - inst.last_ms < INST_PERIOD_MS)
        return;
    for (int k = 0; k < INST_COUNT; k++) {
        /* CONFIG RESETSTAT zeroes the totals: count the new total from zero. */
        uint64_t delta = cur[k] >= inst.last[k] ? cur[k] - inst.last[k] : cur[k];
        inst.rate[k][inst.idx] = (double)delta * 1000 / (double)(now - inst.last_ms);
        inst.last[k] = cur[k];
    }
    inst.idx = (inst.idx + 1) % INST_SAMPLES;
    inst.last_ms = now;
    st->instantaneous_ops_per_sec = (uint64_t)(inst_average(INST_OPS) + 0.5);
    st->instantaneous_input_kbps = inst_average(INST_IN) / 1024;
    st->instantaneous_output_kbps = inst_average(INST_OUT) / 1024;
}

/* ---- Section names. ---- */

static const char *const section_titles[MS_COUNT] = {
#define METRIC_SECTION_TITLE(id, title, set) [MS_##id] = title,
    METRIC_SECTIONS(METRIC_SECTION_TITLE)
#undef METRIC_SECTION_TITLE
};

unsigned
metrics_section_mask(int nsect, const char *const *sect, const size_t *len)
{
    unsigned mask = 0;

    if (nsect == 0)
        return MS_DEFAULT;
    for (int i = 0; i < nsect; i++) {
        const char *s = sect[i];
        size_t n = len[i];
#define IS(word) (n == sizeof(word) - 1 && strncasecmp(s, word, n) == 0)
        if (IS("default")) {
            mask |= MS_DEFAULT;
        } else if (IS("all") || IS("everything")) {
            mask |= MS_ALL; /* zmem has no module sections, so both mean every section */
        } else if (IS("module_list")) {
            mask |= MS_BIT(MS_MODULES);
        } else {
            /* A section's INFO name is its title in any case ("cpu" for "CPU"). */
            for (int k = 0; k < MS_COUNT; k++) {
                if (n == strlen(section_titles[k]) && strncasecmp(s, section_titles[k], n) == 0) {
                    mask |= MS_BIT(k);
                    break;
                }
            }
        }
#undef IS
    }
    return mask;
}

const char *
metrics_section_title(int sect)
{
    return sect >= 0 && sect < MS_COUNT ? section_titles[sect] : "";
}

/* ---- Collect. ---- */

static double
tv_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Ratios and percentages are computed in double, so /metrics and MEMORY HISTORY carry no float
 * rounding noise; MEMORY STATS narrows them to float as Redis's redisMemOverhead holds them
 * (map_value). A zero denominator gives 0, never inf or nan. */
static double
fratio(size_t num, size_t den)
{
    return den ? (double)num / (double)den : 0;
}

static double
fpercent(size_t num, size_t den)
{
    return den ? (double)num * 100 / (double)den : 0;
}

static void
collect_server(struct metrics_snapshot *s)
{
    const struct config *cfg = config_get();
    int64_t now_us = wall_us();
    uint64_t up = (uint64_t)server_uptime_seconds();

    METRIC_SET_STR(s, BUILD_ID, ident.build_id);
    METRIC_SET_STR(s, OS, ident.os);
    METRIC_SET_STR(s, MULTIPLEXING_API, ident.event_method ? ident.event_method : "unknown");
    METRIC_SET_STR(s, GCC_VERSION, ident.gcc);
    METRIC_SET_U64(s, PROCESS_ID, (uint64_t)getpid());
    METRIC_SET_STR(s, RUN_ID, server_run_id());
    METRIC_SET_U64(s, TCP_PORT, (uint64_t)cfg->port);
    METRIC_SET_U64(s, SERVER_TIME_USEC, (uint64_t)now_us);
    METRIC_SET_U64(s, UPTIME_IN_SECONDS, up);
    METRIC_SET_U64(s, UPTIME_IN_DAYS, up / 86400);
    METRIC_SET_U64(s, HZ, (uint64_t)cfg->hz);
    METRIC_SET_U64(s, CONFIGURED_HZ, (uint64_t)cfg->hz);
    METRIC_SET_U64(s, LRU_CLOCK, (uint64_t)(now_us / 1000000) & ((1u << 24) - 1));
    METRIC_SET_STR(s, EXECUTABLE, server_executable());
    METRIC_SET_STR(s, CONFIG_FILE, cfg->config_file ? cfg->config_file : "");
    METRIC_SET_U64(s, START_TIME_SECONDS, (uint64_t)(server_start_time_ms() / 1000));
}

static void
collect_clients(struct metrics_snapshot *s)
{
    METRIC_SET_U64(s, CONNECTED_CLIENTS, clients_count());
    METRIC_SET_U64(s, MAXCLIENTS, (uint64_t)config_get()->maxclients);
    METRIC_SET_U64(s, CLIENT_RECENT_MAX_INPUT, clients_recent_max_input());
    METRIC_SET_U64(s, CLIENT_RECENT_MAX_OUTPUT, clients_recent_max_output());
    METRIC_SET_U64(s, BLOCKED_CLIENTS, blocking_clients());
    METRIC_SET_U64(s, TRACKING_CLIENTS, tracking_clients());
    METRIC_SET_U64(s, CLIENTS_IN_TIMEOUT_TABLE, blocking_clients_with_timeout());
}

static void
collect_memory(struct metrics_snapshot *s)
{
    const struct config *cfg = config_get();
    struct mem_sample ms;
    /* One exact reading of the categories (MEMORY BREAKDOWN's figures): used_memory is their
     * sum, the dataset is the values' categories, the overhead everything else, and the
     * clients' memory their three categories (redis-cli-compat.md has the mapping). */
    int64_t cat[ZMALLOC_CATEGORIES];
    size_t used = zmalloc_category_usage(cat, ZMALLOC_CATEGORIES);
    size_t peak = zmalloc_peak_memory();
    size_t startup = server_startup_memory(), keys = 0;
    int64_t values = cat[MC_STRING] + cat[MC_HASH] + cat[MC_LIST] + cat[MC_SET] + cat[MC_ZSET];
    int64_t clients_c = cat[MC_CLIENTS_QUERY] + cat[MC_CLIENTS_REPLY] + cat[MC_CLIENTS_OTHER];
    size_t dataset = values > 0 ? (size_t)values : 0;
    size_t overhead = used > dataset ? used - dataset : 0;
    size_t clients = clients_c > 0 ? (size_t)clients_c : 0;

    metrics_sample_get(&ms);
    for (int i = 0; i < db_count(); i++) {
        const struct db *db = db_get(i);
        if (db != NULL)
            keys += db_size(db);
    }
    size_t net = used > startup ? used - startup : 1;

    if (peak < used)
        peak = used;
    METRIC_SET_U64(s, USED_MEMORY, used);
    METRIC_SET_U64(s, USED_MEMORY_RSS, ms.rss);
    METRIC_SET_U64(s, USED_MEMORY_PEAK, peak);
    METRIC_SET_F64(s, USED_MEMORY_PEAK_PERC, fpercent(used, peak));
    METRIC_SET_U64(s, USED_MEMORY_OVERHEAD, overhead);
    METRIC_SET_U64(s, USED_MEMORY_STARTUP, startup);
    METRIC_SET_U64(s, USED_MEMORY_DATASET, dataset);
    METRIC_SET_F64(s, USED_MEMORY_DATASET_PERC, fpercent(dataset, net));
    /* allocator_allocated is what the process holds by the allocator's own count: jemalloc's
     * stats.allocated without the blocks parked in thread caches and without jemalloc's own
     * blocks, which are printed apart as allocator_tcache and allocator_internal (definitions
     * in zmalloc.h, zmalloc_get_allocator_info). Everything zmem allocates goes through
     * zmalloc, so it equals used_memory plus what glibc allocates for itself (a few hundred
     * bytes per thread). Those parked and internal blocks still sit in active pages, so the
     * allocator_frag_* figures below count them as the overhead they are. */
    METRIC_SET_U64(s, ALLOCATOR_ALLOCATED, ms.allocated);
    METRIC_SET_U64(s, ALLOCATOR_ACTIVE, ms.active);
    METRIC_SET_U64(s, ALLOCATOR_RESIDENT, ms.resident);
    METRIC_SET_U64(s, TOTAL_SYSTEM_MEMORY, ident.total_system_memory);
    METRIC_SET_I64(s, MAXMEMORY, cfg->maxmemory);
    METRIC_SET_STR(s, MAXMEMORY_POLICY, config_policy_name(cfg->maxmemory_policy));
    METRIC_SET_F64(s, ALLOCATOR_FRAG_RATIO, fratio(ms.active, ms.allocated));
    METRIC_SET_I64(s, ALLOCATOR_FRAG_BYTES,
                   ms.active > ms.allocated ? (int64_t)(ms.active - ms.allocated) : 0);
    METRIC_SET_F64(s, ALLOCATOR_RSS_RATIO, fratio(ms.resident, ms.active));
    METRIC_SET_I64(s, ALLOCATOR_RSS_BYTES, (int64_t)ms.resident - (int64_t)ms.active);
    METRIC_SET_F64(s, RSS_OVERHEAD_RATIO, fratio(ms.rss, ms.resident));
    METRIC_SET_I64(s, RSS_OVERHEAD_BYTES, (int64_t)ms.rss - (int64_t)ms.resident);
    METRIC_SET_F64(s, MEM_FRAGMENTATION_RATIO, fratio(ms.rss, ms.used));
    METRIC_SET_I64(s, MEM_FRAGMENTATION_BYTES, (int64_t)ms.rss - (int64_t)ms.used);
    METRIC_SET_U64(s, MEM_CLIENTS_NORMAL, clients);
    METRIC_SET_STR(s, MEM_ALLOCATOR, zmalloc_allocator_name());
    METRIC_SET_U64(s, LAZYFREE_PENDING_OBJECTS, lazyfree_pending_objects());
    METRIC_SET_U64(s, LAZYFREED_OBJECTS, lazyfreed_objects());
    METRIC_SET_U64(s, ACTIVE_DEFRAG_RUNNING, (uint64_t)defrag_cpu_pct());
    METRIC_SET_U64(s, ALLOCATOR_RETAINED, ms.retained);
    METRIC_SET_U64(s, ALLOCATOR_MUZZY, ms.muzzy);
    METRIC_SET_U64(s, ALLOCATOR_TCACHE, ms.tcache);
    METRIC_SET_U64(s, ALLOCATOR_INTERNAL, ms.internal);
    METRIC_SET_U64(s, USED_MEMORY_PRIVATE_DIRTY, ms.private_dirty);
    METRIC_SET_U64(s, MEM_SAMPLE_AGE_MS, ms.taken_ms ? (uint64_t)(mono_ms() - ms.taken_ms) : 0);
    METRIC_SET_U64(s, KEYS_COUNT, keys);
    METRIC_SET_U64(s, KEYS_BYTES_PER_KEY, keys && used > startup ? (used - startup) / keys : 0);
}

static void
collect_persistence(struct metrics_snapshot *s)
{
    METRIC_SET_U64(s, RDB_LAST_SAVE_TIME, (uint64_t)(server_start_time_ms() / 1000));
}

static void
collect_stats(struct metrics_snapshot *s)
{
    const struct server_stats *st = server_stats();
    const struct keyspace_stats *ks = keyspace_stats();

    METRIC_SET_U64(s, TOTAL_CONNECTIONS_RECV, st->connections_received);
    METRIC_SET_U64(s, TOTAL_COMMANDS_PROCESSED, st->commands_processed);
    METRIC_SET_U64(s, INSTANTANEOUS_OPS, st->instantaneous_ops_per_sec);
    METRIC_SET_U64(s, TOTAL_NET_INPUT_BYTES, st->net_input_bytes);
    METRIC_SET_U64(s, TOTAL_NET_OUTPUT_BYTES, st->net_output_bytes);
    METRIC_SET_F64(s, INSTANTANEOUS_INPUT_KBPS, st->instantaneous_input_kbps);
    METRIC_SET_F64(s, INSTANTANEOUS_OUTPUT_KBPS, st->instantaneous_output_kbps);
    METRIC_SET_U64(s, REJECTED_CONNECTIONS, st->rejected_connections);
    METRIC_SET_U64(s, EXPIRED_KEYS, ks->expired_keys);
    METRIC_SET_F64(s, EXPIRED_STALE_PERC, ks->expired_stale_perc);
    METRIC_SET_U64(s, EXPIRED_TIME_CAP_REACHED, ks->expired_time_cap_reached_count);
    METRIC_SET_U64(s, EXPIRE_CYCLE_CPU_MS, ks->expire_cycle_cpu_milliseconds);
    METRIC_SET_U64(s, EVICTED_KEYS, ks->evicted_keys);
    METRIC_SET_U64(s, TOTAL_EVICTION_EXCEEDED, ks->total_eviction_exceeded_time);
    METRIC_SET_U64(s, KEYSPACE_HITS, ks->keyspace_hits);
    METRIC_SET_U64(s, KEYSPACE_MISSES, ks->keyspace_misses);
    METRIC_SET_U64(s, PUBSUB_CHANNELS, pubsub_channels_count());
    const struct defrag_stats *ds = defrag_stats();
    METRIC_SET_U64(s, ACTIVE_DEFRAG_HITS, ds->hits);
    METRIC_SET_U64(s, ACTIVE_DEFRAG_MISSES, ds->misses);
    METRIC_SET_U64(s, ACTIVE_DEFRAG_KEY_HITS, ds->key_hits);
    METRIC_SET_U64(s, ACTIVE_DEFRAG_KEY_MISSES, ds->key_misses);
    METRIC_SET_U64(s, ACTIVE_DEFRAG_OTHER_HITS, ds->other_hits);
    METRIC_SET_U64(s, TOTAL_ACTIVE_DEFRAG_TIME, ds->time_us / 1000);
    METRIC_SET_U64(s, CURRENT_ACTIVE_DEFRAG_TIME, defrag_current_ms());
    METRIC_SET_U64(s, PUBSUB_PATTERNS, pubsub_patterns_count());
    METRIC_SET_U64(s, PUBSUBSHARD_CHANNELS, pubsub_shard_channels_count());
    METRIC_SET_U64(s, TRACKING_TOTAL_KEYS, tracking_total_keys());
    METRIC_SET_U64(s, TRACKING_TOTAL_ITEMS, tracking_total_items());
    METRIC_SET_U64(s, TRACKING_TOTAL_PREFIXES, tracking_total_prefixes());
    METRIC_SET_U64(s, UNEXPECTED_ERROR_REPLIES, st->unexpected_error_replies);
    METRIC_SET_U64(s, CROSS_PROTOCOL_CLOSED, st->cross_protocol_closed);
    METRIC_SET_U64(s, EVICTED_CLIENTS, st->evicted_clients);
    METRIC_SET_U64(s, TOTAL_ERROR_REPLIES, st->total_error_replies);
    METRIC_SET_U64(s, TOTAL_READS_PROCESSED, st->reads_processed);
    METRIC_SET_U64(s, TOTAL_WRITES_PROCESSED, st->writes_processed);
}

static void
collect_replication(struct metrics_snapshot *s)
{
    METRIC_SET_STR(s, MASTER_REPLID, ident.replid);
}

static void
collect_cpu(struct metrics_snapshot *s)
{
    struct rusage self, children, thread;

    memset(&thread, 0, sizeof(thread));
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread); /* INFO runs on the event loop thread */
    METRIC_SET_F64(s, USED_CPU_SYS, tv_seconds(self.ru_stime));
    METRIC_SET_F64(s, USED_CPU_USER, tv_seconds(self.ru_utime));
    METRIC_SET_F64(s, USED_CPU_SYS_CHILDREN, tv_seconds(children.ru_stime));
    METRIC_SET_F64(s, USED_CPU_USER_CHILDREN, tv_seconds(children.ru_utime));
    METRIC_SET_F64(s, USED_CPU_SYS_MAIN, tv_seconds(thread.ru_stime));
    METRIC_SET_F64(s, USED_CPU_USER_MAIN, tv_seconds(thread.ru_utime));
}

void
metrics_collect(struct metrics_snapshot *s, unsigned mask)
{
    ident_init();
    memset(s, 0, sizeof(*s));
    /* CONST rows come from the table; LIVE rows from the collect_* functions, each through a
     * METRIC_SET_*() (tests/unit/test_metrics.c fails if one is missed). */
    for (int id = 0; id < M_COUNT; id++) {
        const struct metric_def *d = &metric_defs[id];
        if (!d->live && (mask & MS_BIT(d->sect))) {
            s->v[id] = d->value;
            s->written[id / 64] |= 1ull << (id % 64);
        }
    }
    if (mask & MS_BIT(MS_SERVER))
        collect_server(s);
    if (mask & MS_BIT(MS_CLIENTS))
        collect_clients(s);
    if (mask & MS_BIT(MS_MEMORY))
        collect_memory(s);
    if (mask & MS_BIT(MS_PERSISTENCE))
        collect_persistence(s);
    if (mask & MS_BIT(MS_STATS))
        collect_stats(s);
    if (mask & MS_BIT(MS_REPLICATION))
        collect_replication(s);
    if (mask & MS_BIT(MS_CPU))
        collect_cpu(s);
}

/* ---- MEMORY STATS. ---- */

static void
map_value(const struct metrics_snapshot *s, int id, const struct metrics_map_sink *k)
{
    const struct metric_def *d = &metric_defs[id];

    k->key(k->ctx, d->stats);
    /* Redis keeps every double of MEMORY STATS in a float and replies with it widened, which
     * RESP2 prints with %.17g: narrow ours the same way for the same digits. */
    if (d->kind == MK_F64)
        k->dbl(k->ctx, (double)(float)s->v[id].d);
    else if (d->kind == MK_I64)
        k->integer(k->ctx, s->v[id].i);
    else
        k->integer(k->ctx, (long long)s->v[id].u);
}

/* The MEMORY STATS order of metrics_def.h: row ids, and STATS_DB_MAPS where the db.<N> maps go. */
#define STATS_DB_MAPS (-1)
static const int stats_order[] = {
#define STATS_KEY(id) M_##id,
#define STATS_DBS()   STATS_DB_MAPS,
    METRICS_MEMORY_STATS(STATS_KEY, STATS_DBS)
#undef STATS_KEY
#undef STATS_DBS
};
#define STATS_ORDER_LEN ((int)(sizeof(stats_order) / sizeof(stats_order[0])))

void
metrics_render_map(const struct metrics_snapshot *s, const struct metrics_map_sink *k, int with_dbs)
{
    int nkeys = 0, ndb = 0;

    for (int p = 0; p < STATS_ORDER_LEN; p++)
        nkeys += stats_order[p] != STATS_DB_MAPS;
    if (with_dbs) {
        for (int i = 0; i < db_count(); i++)
            if (db_get(i) && db_size(db_get(i)) > 0)
                ndb++;
    }
    k->map(k->ctx, nkeys + ndb);
    for (int p = 0; p < STATS_ORDER_LEN; p++) {
        if (stats_order[p] != STATS_DB_MAPS) {
            map_value(s, stats_order[p], k);
            continue;
        }
        if (!with_dbs)
            continue;
        for (int i = 0; i < db_count(); i++) {
            const struct db *db = db_get(i);
            char name[32];
            if (db == NULL || db_size(db) == 0)
                continue;
            snprintf(name, sizeof(name), "db.%d", i);
            k->key(k->ctx, name);
            k->map(k->ctx, 3);
            k->key(k->ctx, "overhead.hashtable.main");
            k->integer(k->ctx, (long long)db_overhead_main(db));
            k->key(k->ctx, "overhead.hashtable.expires");
            k->integer(k->ctx, (long long)db_overhead_expires(db));
            k->key(k->ctx, "overhead.hashtable.slot-to-keys");
            k->integer(k->ctx, 0);
        }
    }
}

/* ---- Prometheus text. ---- */

static void
prom_family(struct buf *out, const char *name, const char *help, int type)
{
    buf_printf(out, "# HELP redis_%s %s\n# TYPE redis_%s %s\n", name, help, name,
               type == MT_COUNTER ? "counter" : "gauge");
}

/* A label value with Prometheus's escapes (backslash, double quote, newline). */
static void
prom_label(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_append(out, "\\", 1);
        if (*s == '\n')
            buf_append(out, "\\n", 2);
        else
            buf_append(out, s, 1);
    }
}

/* A sample value and its newline: the shortest text that reads back as the same double
 * (1.1, not 1.1000000000000001), in Prometheus's spelling for the non-finite ones. */
static void
prom_double(struct buf *out, double v)
{
    char num[64];

    if (isnan(v))
        buf_append_str(out, "NaN\n");
    else if (isinf(v))
        buf_append_str(out, v > 0 ? "+Inf\n" : "-Inf\n");
    else {
        double_to_shortest(num, sizeof(num), v);
        buf_printf(out, "%s\n", num);
    }
}

static void
prom_row(struct buf *out, const struct metrics_snapshot *s, int id)
{
    const struct metric_def *d = &metric_defs[id];
    const union metric_value *v = &s->v[id];

    prom_family(out, d->prom, d->help, d->type);
    buf_printf(out, "redis_%s ", d->prom);
    if (d->unit == MU_USEC)
        prom_double(out, (double)v->u / 1e6);
    else if (d->kind == MK_F64)
        prom_double(out, v->d);
    else if (d->kind == MK_I64)
        buf_printf(out, "%lld\n", (long long)v->i);
    else if (d->kind == MK_STR) /* a status: "ok" is 1, as redis_exporter maps it */
        buf_append_str(out, v->s && strcmp(v->s, "ok") == 0 ? "1\n" : "0\n");
    else
        buf_printf(out, "%llu\n", (unsigned long long)v->u);
}

static void
prom_instance_info(struct buf *out, const struct metrics_snapshot *s)
{
    static const int labels[] = {M_MAXMEMORY_POLICY, M_OS,   M_PROCESS_ID, M_BUILD_ID, M_REDIS_MODE,
                                 M_REDIS_VERSION,    M_ROLE, M_RUN_ID,     M_TCP_PORT};

    prom_family(out, "instance_info", "Information about the server, in labels.", MT_GAUGE);
    buf_append_str(out, "redis_instance_info{");
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        const struct metric_def *d = &metric_defs[labels[i]];
        buf_printf(out, "%s%s=\"", i ? "," : "", d->info);
        if (d->kind == MK_STR)
            prom_label(out, s->v[labels[i]].s);
        else
            buf_printf(out, "%llu", (unsigned long long)s->v[labels[i]].u);
        buf_append_str(out, "\"");
    }
    buf_append_str(out, "} 1\n");
}

static void
prom_keyspace(struct buf *out)
{
    static const char *const fam[3] = {"db_keys", "db_keys_expiring", "db_avg_ttl_seconds"};
    static const char *const help[3] = {"Keys in the database.",
                                        "Keys with an expiry in the database.",
                                        "Average TTL of the keys with an expiry, in seconds."};

    for (int f = 0; f < 3; f++) {
        prom_family(out, fam[f], help[f], MT_GAUGE);
        for (int i = 0; i < db_count(); i++) {
            const struct db *db = db_get(i);
            if (db == NULL)
                continue;
            /* Like redis_exporter: keys for every database, the TTL only where there are keys. */
            if (f == 0)
                buf_printf(out, "redis_db_keys{db=\"db%d\"} %zu\n", i, db_size(db));
            else if (f == 1)
                buf_printf(out, "redis_db_keys_expiring{db=\"db%d\"} %zu\n", i,
                           db_expires_size(db));
            else if (db_size(db) > 0) {
                buf_printf(out, "redis_db_avg_ttl_seconds{db=\"db%d\"} ", i);
                prom_double(out, (double)db_avg_ttl(db) / 1000);
            }
        }
    }
}

struct prom_cmd_ctx {
    struct buf *out;
    int field; /* 0 calls, 1 duration, 2 rejected, 3 failed */
};

static void
prom_cmd_one(const struct command *cmd, void *arg)
{
    struct prom_cmd_ctx *x = arg;
    const struct command_stats *st = cmd->stats;
    char name[128];

    if (st == NULL || (st->calls == 0 && st->rejected_calls == 0 && st->failed_calls == 0))
        return;
    command_fullname(cmd, name, sizeof(name));
    switch (x->field) {
    case 0:
        buf_printf(x->out, "redis_commands_total{cmd=\"%s\"} %llu\n", name,
                   (unsigned long long)st->calls);
        break;
    case 1:
        buf_printf(x->out, "redis_commands_duration_seconds_total{cmd=\"%s\"} ", name);
        prom_double(x->out, (double)st->usec / 1e6);
        break;
    case 2:
        buf_printf(x->out, "redis_commands_rejected_calls_total{cmd=\"%s\"} %llu\n", name,
                   (unsigned long long)st->rejected_calls);
        break;
    default:
        buf_printf(x->out, "redis_commands_failed_calls_total{cmd=\"%s\"} %llu\n", name,
                   (unsigned long long)st->failed_calls);
        break;
    }
}

static void
prom_error_one(const char *code, uint64_t count, void *arg)
{
    struct buf *out = arg;
    buf_append_str(out, "redis_errors_total{err=\"");
    prom_label(out, code);
    buf_printf(out, "\"} %llu\n", (unsigned long long)count);
}

/* MEMORY BREAKDOWN's figures: bytes per category (they add up to used_memory) and each thread's
 * cumulative allocated and freed bytes. zmem's own families, so zmem_ rather than redis_. */
static void
prom_breakdown(struct buf *out)
{
    int64_t cat[ZMALLOC_CATEGORIES];
    struct zmalloc_thread_stat th[32];
    int ncat = zmalloc_category_count(), nth;

    zmalloc_category_usage(cat, ZMALLOC_CATEGORIES);
    nth = zmalloc_thread_stats(th, 32);
    if (nth > 32)
        nth = 32;
    buf_append_str(out, "# HELP zmem_memory_bytes Bytes of used_memory in each category "
                        "(MEMORY BREAKDOWN); the categories add up to used_memory.\n"
                        "# TYPE zmem_memory_bytes gauge\n");
    for (int i = 0; i < ncat; i++) {
        buf_append_str(out, "zmem_memory_bytes{category=\"");
        prom_label(out, zmalloc_category_name(i));
        buf_printf(out, "\"} %lld\n", (long long)cat[i]);
    }
    for (int f = 0; f < 2; f++) {
        const char *name =
            f ? "zmem_thread_freed_bytes_total" : "zmem_thread_allocated_bytes_total";
        buf_printf(
            out, "# HELP %s Bytes each thread %s through zmalloc since start.\n# TYPE %s counter\n",
            name, f ? "freed" : "allocated", name);
        for (int i = 0; i < nth; i++) {
            buf_printf(out, "%s{thread=\"", name);
            prom_label(out, th[i].name);
            buf_printf(out, "\"} %llu\n", (unsigned long long)(f ? th[i].freed : th[i].allocated));
        }
    }
}

static void
prom_lists(struct buf *out, const struct metrics_snapshot *s)
{
    static const char *const fam[4] = {"commands_total", "commands_duration_seconds_total",
                                       "commands_rejected_calls_total",
                                       "commands_failed_calls_total"};
    static const char *const help[4] = {
        "Calls of each command.", "Seconds spent executing each command.",
        "Calls of each command refused before running (arity, OOM, auth).",
        "Calls of each command that answered with an error."};

    prom_instance_info(out, s);
    prom_keyspace(out);
    for (int f = 0; f < 4; f++) {
        struct prom_cmd_ctx x = {out, f};
        prom_family(out, fam[f], help[f], MT_COUNTER);
        command_foreach(prom_cmd_one, &x);
    }
    prom_family(out, "errors_total", "Error replies by error code.", MT_COUNTER);
    errorstats_foreach(prom_error_one, out);
    prom_breakdown(out);
}

void
metrics_format_prom(struct buf *out, const struct metrics_snapshot *s, int with_lists)
{
    for (int id = 0; id < M_COUNT; id++)
        if (metric_defs[id].prom)
            prom_row(out, s, id);
    if (with_lists)
        prom_lists(out, s);
}

void
metrics_render_prom(struct buf *out)
{
    struct metrics_snapshot s;

    metrics_collect(&s, MS_ALL);
    metrics_format_prom(out, &s, 1);
}
